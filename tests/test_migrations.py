"""Migrations: what an existing database has after upgrading, and that they build what the models describe."""

from datetime import datetime, timezone

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from helpline.db import db
from helpline.models import User

BEFORE_SESSION_TOKENS = "29e628f87f7e"


def test_upgrading_gives_each_existing_user_a_session_token_of_their_own(app, auth):
    with app.app_context():
        downgrade(revision=BEFORE_SESSION_TOKENS)
        try:
            for name in ("counselor1", "supervisor1"):
                db.session.execute(
                    text(
                        "INSERT INTO users (username, password_hash, role, active, created_at, presence, presence_since, language) "
                        "VALUES (:name, :hash, 'counselor', :yes, :at, 'offline', :at, 'en')"
                    ),
                    {"name": name, "hash": "x", "yes": True, "at": datetime(2026, 12, 1, tzinfo=timezone.utc)},
                )
            db.session.commit()
        finally:
            upgrade()
        tokens = db.session.scalars(select(User.session_token)).all()
        assert len(tokens) == 2 and all(tokens) and len(set(tokens)) == 2
        db.session.remove()


def test_the_migrations_build_the_tables_the_models_describe(app):
    """What Alembic would generate to go from the migrated schema to the models: nothing.
    (On PostgreSQL the rollups are partitioned by span, partitions the models need not name.)"""
    with app.app_context(), db.engine.connect() as connection:
        partitions = set()
        if connection.dialect.name == "postgresql":
            partitions = set(connection.scalars(text("SELECT inhrelid::regclass::text FROM pg_inherits")))
        context = MigrationContext.configure(
            connection, opts={"include_name": lambda name, kind, parents: kind != "table" or name not in partitions}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []
