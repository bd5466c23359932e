"""Migrations that change tables holding data: what an existing database has after upgrading."""

from datetime import datetime, timezone

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
