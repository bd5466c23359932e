"""Administration in the tests: the admin `boss` logged in, users and saved settings read and
written directly, a module's warnings captured.

Fixtures (registered by conftest.py): `admin`, the test client logged in as `boss`; `fragile`,
an app whose database the test can stop answering, with its outage."""

import logging

import pytest
from sqlalchemy import select, update

from helpline.db import db
from helpline.models import Setting, User

# A new user's form, as an admin fills it in.
NEW_USER = {
    "username": "newcomer",
    "role": "counselor",
    "language": "tg",
    "phone_number": "+992900123456",
    "password": "a long enough secret",
    "password_again": "a long enough secret",
}


def log_in_admin(app, auth, client):
    """The test client, logged in as the admin `boss`, whose pages are in English (the source
    strings, whatever translations exist)."""
    auth.create("boss", "admin")
    set_language(app, "boss", "en")
    assert auth.login("boss").status_code == 200
    return client


@pytest.fixture
def admin(app, auth, client):
    return log_in_admin(app, auth, client)


@pytest.fixture
def fragile(fragile_app, outage):
    """(an app whose database can stop answering, its outage); `app` first empties the database."""
    return fragile_app, outage


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def stored_user(app, username: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        db.session.expunge(user)
        return user


def set_language(app, username: str, language: str) -> None:
    with app.app_context():
        db.session.execute(update(User).where(User.username == username).values(language=language))
        db.session.commit()


def settings_rows(app) -> dict:
    with app.app_context():
        return dict(db.session.execute(select(Setting.key, Setting.value)).all())


def save_setting(app, key, value) -> None:
    with app.app_context():
        db.session.merge(Setting(key=key, value=value))
        db.session.commit()


def warnings_of(module: str, caplog, monkeypatch):
    """Capture a module's warnings (the migrations' logging set-up disables existing loggers)."""
    monkeypatch.setattr(logging.getLogger(module), "disabled", False)
    return caplog.at_level(logging.WARNING, logger=module)
