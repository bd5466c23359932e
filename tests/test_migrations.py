"""Migrations: what an existing database has after upgrading, and that they build what the models describe."""

from datetime import datetime, timedelta, timezone

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from helpline.db import db
from helpline.models import Call, User
from tests.support.provider import new_call_sid

BEFORE_SESSION_TOKENS = "29e628f87f7e"
BEFORE_BRIDGED_ANSWERED = "5c0e2a9d41b7"


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


def test_upgrading_answers_the_calls_bridged_straight_from_the_queue(app):
    """Calls the provider bridged from the queue got no answer time before: the upgrade gives
    them theirs, QueueTime after they entered the queue (to the microsecond), and the downgrade
    takes it away again; other calls keep what they have."""
    entered = datetime(2026, 12, 1, 9, 59, 50, 123456, tzinfo=timezone.utc)
    dialed_answer = entered + timedelta(seconds=70)
    calls = {
        "bridged": {"queue_result": "bridged", "wait_seconds": 15},
        "bridged, no wait": {"queue_result": "bridged", "wait_seconds": None},
        "bridged and dialed": {"queue_result": "bridged", "wait_seconds": 15, "answered_at": dialed_answer, "talk_seconds": 100},
        "dialed": {"queue_result": "redirected", "wait_seconds": 15, "answered_at": dialed_answer, "talk_seconds": 100},
        "hung up": {"queue_result": "hangup", "wait_seconds": 15, "abandoned": True},
    }
    sids = {name: new_call_sid() for name in calls}
    with app.app_context():
        for name, fields in calls.items():
            db.session.add(Call(call_sid=sids[name], started_at=entered - timedelta(seconds=30), enqueued_at=entered, **fields))
        db.session.commit()
        db.session.remove()

        def answer_times() -> dict:
            found = {call.call_sid: call.answered_at for call in db.session.scalars(select(Call))}
            db.session.remove()
            return {name: found[sid] for name, sid in sids.items()}

        downgrade(revision=BEFORE_BRIDGED_ANSWERED)
        try:
            assert answer_times()["bridged"] is None
        finally:
            upgrade()
        upgraded = {
            "bridged": datetime(2026, 12, 1, 10, 0, 5, 123456, tzinfo=timezone.utc),
            "bridged, no wait": None,
            "bridged and dialed": dialed_answer,
            "dialed": dialed_answer,
            "hung up": None,
        }
        assert answer_times() == upgraded
        downgrade(revision=BEFORE_BRIDGED_ANSWERED)
        try:
            assert answer_times() == {**upgraded, "bridged": None}
        finally:
            upgrade()


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
