"""Fixtures: the app on a migrated database (SQLite, or PostgreSQL with TEST_DATABASE_URL),
a client, a CLI runner, a signed provider, and a login helper; the support package's fixtures
(`pytest_plugins`)."""

import os

import pytest
from flask_migrate import upgrade

from config import TestingConfig
from helpline import create_app
from tests.support.apps import clear_tables, dispose, drop_schema
from tests.support.provider import Provider
from tests.support.requirements import check_needs
from tests.support.users import AuthActions

# Fixtures of the support package's modules, for every test module.
pytest_plugins = ("tests.support.calls", "tests.support.outage", "tests.support.admin", "tests.support.review", "tests.support.browser", "tests.support.ari")


def pytest_addoption(parser):
    group = parser.getgroup("helpline")
    group.addoption("--only-database", action="store_true", help="run only the tests that use the database")
    group.addoption("--no-browser", action="store_true", help="leave out the browser tests")


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives pages in Chromium (tests/support/browser.py)")
    config.addinivalue_line("markers", "needs(available, reason): needs a binary or a service (tests/support/requirements.py)")


def pytest_collection_modifyitems(config, items):
    """`make test` runs on two databases: its SQLite run leaves out what the database does not
    change (tests that never touch it, and the browser tests, which run on PostgreSQL alone)."""
    kept, left_out = [], []
    for item in items:
        without_database = config.getoption("only_database") and "migrated" not in item.fixturenames
        browser = config.getoption("no_browser") and item.get_closest_marker("browser") is not None
        (left_out if without_database or browser else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


def pytest_runtest_setup(item):
    check_needs(item)

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
    drop_schema(app)
    with app.app_context():
        upgrade()
    dispose(app)
    return config_class


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
    clear_tables(app)
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


@pytest.fixture
def provider(client, app):
    return Provider(client, app.config["TWILIO_AUTH_TOKEN"])


@pytest.fixture
def auth(client, app):
    return AuthActions(client, app)
