"""The database handle: PostgreSQL's pooled connections are checked after a rest."""

import time

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from helpline import db as database
from helpline.db import db


def backend_pid() -> int:
    pid = db.session.scalar(text("SELECT pg_backend_pid()"))
    db.session.commit()
    return pid


@pytest.fixture
def postgresql_app(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("the check after a rest is for PostgreSQL's connections")
    return app


def terminate(app, pid: int) -> None:
    """End a backend from a connection of its own (not the pool's: that may be the one to end)."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
    time.sleep(0.2)


def test_a_rested_connection_lost_meanwhile_is_replaced_before_use(postgresql_app, monkeypatch):
    monkeypatch.setattr(database, "PING_AFTER_REST_SECONDS", 0.0)
    with postgresql_app.app_context():
        lost = backend_pid()
        terminate(postgresql_app, lost)
        # The next transaction gets a working connection, not an error.
        assert backend_pid() != lost


def test_a_connection_back_in_use_at_once_is_not_checked(postgresql_app, monkeypatch):
    """Within the rest the connection is used as it is: a lost one fails its statement (and
    the pool starts afresh), the cost of not pinging at every checkout."""
    monkeypatch.setattr(database, "PING_AFTER_REST_SECONDS", 3600.0)
    with postgresql_app.app_context():
        lost = backend_pid()
        terminate(postgresql_app, lost)
        with pytest.raises(OperationalError):
            backend_pid()
        db.session.rollback()
        assert backend_pid() != lost


def test_a_busy_process_keeps_its_postgresql_connections(app):
    """Requests at once up to the pool's size leave their connections in the pool for the next
    ones, instead of each opening a backend and closing it after."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite opens a file, not a server backend")
    connections = [engine.connect() for _ in range(database.DATABASE_POOL_SIZE)]
    for connection in connections:
        connection.close()
    assert engine.pool.checkedin() == database.DATABASE_POOL_SIZE


def test_psycopg_keeps_the_webhooks_upsert_parsed(postgresql_app):
    """psycopg keeps its parse of a statement only up to a length the service raises (the
    setting is psycopg's own module constant: this fails if a new psycopg no longer has it)."""
    import psycopg._queries

    from helpline.call_log import journal_and_call_upsert

    with postgresql_app.app_context():
        compiled = journal_and_call_upsert().compile(dialect=db.engine.dialect)
    upsert = str(compiled)
    assert len(upsert) > 4096
    assert psycopg._queries.MAX_CACHED_STATEMENT_LENGTH >= len(upsert.encode())
    # psycopg keeps no statement with more parameters than this either: a call column or two
    # more would undo the setting without a sign.
    assert len(compiled.params) <= psycopg._queries.MAX_CACHED_STATEMENT_PARAMS
