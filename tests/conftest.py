"""Fixtures: the app on a migrated database (SQLite, or PostgreSQL with TEST_DATABASE_URL),
a client, a CLI runner, a signed provider, and a login helper."""

import os
import uuid
from urllib.parse import urlencode

import pytest
from flask_migrate import upgrade
from sqlalchemy import text
from twilio.request_validator import RequestValidator

from config import TestingConfig
from helpline import background, create_app, live
from helpline.db import db
from helpline.models import User

TABLES = (
    "socket_connections", "presence_changes", "audit_log", "settings", "call_events", "calls", "counters", "users",
    "call_days", "call_hours", "call_category_days", "counselor_days", "presence_days",
    "call_days_delta", "call_hours_delta", "call_category_days_delta", "counselor_days_delta",
)  # fmt: skip
# Kept between tests: the rollups' offset, written by their migration.
SCHEMA_ONLY_TABLES = ("report_rollup_settings", "alembic_version")


def new_call_sid() -> str:
    return "CA" + uuid.uuid4().hex


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'helpline.db'}"


@pytest.fixture(scope="session")
def config_class(database_url, tmp_path_factory):
    class Settings(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        SPOOL_DIR = str(tmp_path_factory.mktemp("spool"))

    return Settings


@pytest.fixture(scope="session")
def migrated(config_class):
    """Build the schema once per run, through the migrations themselves."""
    app = create_app(config_class)
    with app.app_context():
        with db.engine.begin() as connection:
            for table in (*TABLES, *SCHEMA_ONLY_TABLES):
                connection.execute(text(f"DROP TABLE IF EXISTS {table} CASCADE" if db.engine.dialect.name == "postgresql" else f"DROP TABLE IF EXISTS {table}"))
        upgrade()
        db.engine.dispose()
    return config_class


def received(socket) -> list[dict]:
    """What a test client's socket got, once the pushes (made after the requests answered,
    in the background) are done."""
    assert live.settle_pushes(socket.app)
    return socket.get_received()


def dispose(app) -> None:
    # A push still being made in the background holds a connection the engine could not close.
    live.settle_pushes(app)
    assert background.stop(app), "the app's background threads did not stop"
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_factory(migrated):
    """Apps with settings of a test's own (subclasses of the migrated settings)."""
    made = []

    def make(config_class=migrated):
        made.append(create_app(config_class))
        return made[-1]

    yield make
    for app in made:
        dispose(app)


@pytest.fixture
def app(migrated):
    app = create_app(migrated)
    with app.app_context():
        with db.engine.begin() as connection:
            for table in TABLES:
                connection.execute(text(f"DELETE FROM {table}"))
    spool = app.extensions["helpline.spool"]
    for leftover in spool.directory.glob("*"):
        leftover.unlink()
    yield app
    dispose(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Provider:
    """Plays the telephony provider: signed form posts, as Twilio sends them."""

    base_url = "http://localhost"

    def __init__(self, client, auth_token: str):
        self.client = client
        self.validator = RequestValidator(auth_token)

    def sign(self, url: str, params: dict) -> str:
        return self.validator.compute_signature(url, params)

    def post(self, path: str, params: dict, *, signature: str | None = None, headers: dict | None = None):
        url = self.base_url + path
        headers = {"X-Twilio-Signature": signature if signature is not None else self.sign(url, params), **(headers or {})}
        return self.client.post(path, data=params, headers=headers)

    @staticmethod
    def params(call_sid: str, caller: str = "+989121234567", **extra) -> dict:
        return {
            "CallSid": call_sid,
            "AccountSid": TestingConfig.TWILIO_ACCOUNT_SID,
            "From": caller,
            "To": "+981480",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            **extra,
        }


@pytest.fixture
def provider(client, app):
    return Provider(client, app.config["TWILIO_AUTH_TOKEN"])


def path_with(path: str, **query) -> str:
    return f"{path}?{urlencode(query)}" if query else path


class AuthActions:
    def __init__(self, client, app):
        self.client = client
        self.app = app

    def create(
        self, username: str = "counselor1", role: str = "counselor", password: str = "correct horse battery", language: str = "en"
    ) -> User:
        """A user; English pages unless a test asks for another language."""
        with self.app.app_context():
            user = User(username=username, role=role, language=language)
            user.set_password(password)
            db.session.add(user)
            db.session.commit()
            return user

    def login(self, username: str = "counselor1", password: str = "correct horse battery"):
        return self.client.post("/api/login", json={"username": username, "password": password})

    def logout(self):
        return self.client.post("/api/logout")


@pytest.fixture
def auth(client, app):
    return AuthActions(client, app)
