"""The database handle, SQLite tuning, PostgreSQL's connection checks, and the
dialect-specific INSERT used for upserts."""

import time
from datetime import timezone

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, TypeDecorator, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so Alembic's batch mode on SQLite can alter them later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both databases (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(timezone.utc)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def insert(table, dialect_name: str):
    """An INSERT that supports ON CONFLICT for the session's dialect."""
    if dialect_name == "postgresql":
        return postgresql.insert(table)
    if dialect_name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database: {dialect_name}")


def dialect_name() -> str:
    return db.session.get_bind().dialect.name


def _tune_sqlite(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    # Let SQLAlchemy issue BEGIN itself (see _begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_immediate(connection):
    # A deferred SQLite transaction that reads and then writes fails at once with
    # "database is locked" instead of waiting; taking the write lock up front makes
    # it wait on busy_timeout like any other writer. Read-only work (reports) takes no
    # lock, so a long report never holds up the webhooks.
    if connection.dialect.name == "sqlite":
        read_only = connection.get_execution_options().get("helpline_read_only")
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def listen_to_engine(app) -> None:
    """The app's engine gets the service's tuning and checks (not every engine in the process: the
    benchmarks' references and other apps' engines keep their own)."""
    with app.app_context():
        engine = db.engine
    event.listen(engine, "connect", _tune_sqlite)
    event.listen(engine, "begin", _begin_immediate)
    # Pool events, on this engine's pool.
    event.listen(engine, "checkin", _note_rest)
    event.listen(engine, "checkout", _ping_after_rest)


def read_only_transaction() -> None:
    """Go on in a reader's transaction. What ran before (loading the user) only read, so
    ending its transaction loses nothing."""
    if db.session().in_transaction():
        db.session.commit()
    db.session.connection(execution_options={"helpline_read_only": True})


# A pooled PostgreSQL connection is checked before use once it has rested this long. Checking
# at every checkout (`pool_pre_ping`) cost a round trip at each of the four or five transactions
# of a webhook; a connection back in use within a second is as good as its last statement
# showed, and if the server went away meanwhile that statement fails like any other (the
# webhook spools, and the pool starts afresh).
PING_AFTER_REST_SECONDS = 1.0


# psycopg parses a statement's text for its placeholders before every execution, and keeps what it
# found (in a bounded LRU) only for statements up to 4 KB: the call's upsert, which every webhook
# runs, is 8 KB, so every webhook parsed it again (it showed in their instruction counts:
# docs/benchmarks.md). The service runs a fixed set of statements, so it lets psycopg keep longer
# ones too. (A module setting psycopg reads at each execution; `tests/test_db.py` fails if a new
# psycopg no longer has it, or if the upsert outgrows psycopg's other bound, 50 parameters.)
PSYCOPG_CACHED_STATEMENT_LENGTH = 16 * 1024


def keep_long_statements_parsed() -> None:
    import psycopg._queries

    psycopg._queries.MAX_CACHED_STATEMENT_LENGTH = max(psycopg._queries.MAX_CACHED_STATEMENT_LENGTH, PSYCOPG_CACHED_STATEMENT_LENGTH)


def _is_psycopg(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.split(".")[0] == "psycopg"


def _note_rest(dbapi_connection, connection_record):
    if dbapi_connection is not None:
        connection_record.info["rested_since"] = time.monotonic()


def _ping_after_rest(dbapi_connection, connection_record, connection_proxy):
    rested_since = connection_record.info.get("rested_since")
    if not _is_psycopg(dbapi_connection) or rested_since is None:
        return
    if time.monotonic() - rested_since < PING_AFTER_REST_SECONDS:
        return
    autocommit = dbapi_connection.autocommit
    try:
        # Outside a transaction, as SQLAlchemy's own ping does.
        dbapi_connection.autocommit = True
        dbapi_connection.execute("SELECT 1")
        dbapi_connection.autocommit = autocommit
    except Exception as error:
        # The pool discards this connection and hands out a new one.
        raise DisconnectionError(f"a pooled connection was lost ({type(error).__name__})") from error


# Connections a process keeps open to PostgreSQL, and how many more it may open for a burst:
# three processes at their most (30 each) stay within the server's default max_connections (100).
DATABASE_POOL_SIZE = 20
DATABASE_POOL_OVERFLOW = 10


def engine_options(settings) -> dict:
    """Bounded waits on the database, so a webhook fails open rather than hanging."""
    url = settings["SQLALCHEMY_DATABASE_URI"]
    timeout = settings["DATABASE_TIMEOUT_SECONDS"]
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": timeout}}
    if url.startswith("postgresql"):
        # No JIT: the service's statements are short, and PostgreSQL's cost estimate for the
        # rollup triggers' inserts passes jit_above_cost, so each webhook compiled them anew
        # (most of a webhook's time: docs/benchmarks.md).
        # Row locks wait no longer than the database may take to answer: a webhook queued
        # behind a long replay or a deadlock fails open to the spool instead of stalling, and a
        # migration that cannot get its lock at once gives up rather than queue every webhook
        # behind it. Set once per connection: a `SET LOCAL` cost each webhook a round trip.
        # Pooled connections are checked after a rest (helpline.db), not at every checkout.
        lock_timeout = max(1, int(timeout * 1000))
        options = f"-c jit=off -c lock_timeout={lock_timeout}"
        keep_long_statements_parsed()
        # The pool keeps as many connections as a busy process has requests at once: beyond
        # its size each one is opened for a request and closed after it, which cost a new
        # PostgreSQL backend every few webhooks under load.
        return {
            "pool_size": DATABASE_POOL_SIZE,
            "max_overflow": DATABASE_POOL_OVERFLOW,
            "connect_args": {"connect_timeout": max(1, round(timeout)), "options": options},
        }
    return {"pool_pre_ping": True}
