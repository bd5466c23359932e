"""The login page, CSRF on forms, rate limits, roles on pages."""

import re
import socket
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import select

import config
from helpline.auth import LIMITED_ENDPOINTS, limiter
from helpline.db import db
from helpline.live import socketio
from helpline.models import User
from tests.support.users import AuthActions, csrf_token


def test_pages_send_the_anonymous_to_the_login_page(client):
    response = client.get("/dashboard")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


def test_login_page_logs_in_and_goes_where_asked(client, auth):
    auth.create()
    form = client.get("/login")
    assert form.status_code == 200
    response = client.post(
        "/login?next=/dashboard",
        data={"username": "counselor1", "password": "correct horse battery", "csrf_token": csrf_token(form.data)},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert client.get("/api/me").json["username"] == "counselor1"


def test_login_form_without_its_csrf_token_is_refused(client, auth):
    auth.create()
    response = client.post("/login", data={"username": "counselor1", "password": "correct horse battery"})
    assert response.status_code == 400
    assert client.get("/api/me").status_code == 401


def test_wrong_password_on_the_page(client, auth):
    auth.create()
    english = {"Accept-Language": "en"}
    form = client.get("/login", headers=english)
    response = client.post(
        "/login",
        data={"username": "counselor1", "password": "nope nope nope", "csrf_token": csrf_token(form.data)},
        headers=english,
    )
    assert response.status_code == 200 and b"Wrong username or password" in response.data
    assert client.get("/api/me").status_code == 401


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_no_open_redirect_after_login(client, auth, target):
    auth.create()
    form = client.get("/login")
    response = client.post(
        f"/login?next={target}",
        data={"username": "counselor1", "password": "correct horse battery", "csrf_token": csrf_token(form.data)},
    )
    assert response.headers["Location"] == "/dashboard"


def test_logout_form_needs_csrf(client, auth):
    auth.create()
    auth.login()
    assert client.post("/logout").status_code == 400
    page = client.get("/dashboard")
    token = re.search(rb'name="csrf-token" content="([^"]+)"', page.data).group(1).decode()
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/api/me").status_code == 401


def copy_of_session(app, client):
    """Another client holding a copy of this client's session cookie (as if it was taken)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_session_cookie_copied_before_logout_signs_nobody_in_after_it(app, client, auth):
    auth.create()
    auth.login()
    thief = copy_of_session(app, client)
    assert thief.get("/api/me").status_code == 200
    assert auth.logout().status_code == 200
    assert thief.get("/api/me").status_code == 401
    assert thief.get("/dashboard").status_code == 302
    assert not socketio.test_client(app, flask_test_client=thief).is_connected()


def test_logging_out_ends_every_session_of_the_user_and_a_new_login_works(app, client, auth):
    auth.create()
    auth.login()
    elsewhere = app.test_client()
    assert elsewhere.post("/api/login", json={"username": "counselor1", "password": "correct horse battery"}).status_code == 200
    auth.logout()
    assert elsewhere.get("/api/me").status_code == 401
    assert auth.login().status_code == 200 and client.get("/api/me").json["username"] == "counselor1"


def session_naming(app, session_id: str):
    """A client whose session cookie, signed with the app's key, names its user so."""
    serializer = app.session_interface.get_signing_serializer(app)
    client = app.test_client()
    # Logged in and seen just now, as a login records it (helpline/session_lifetime.py).
    now = time.time()
    client.set_cookie("session", serializer.dumps({"_user_id": session_id, "_fresh": True, "logged_in_at": now, "seen_at": now}))
    return client


@pytest.mark.parametrize(
    "session_id",
    ["{id}", "{id}:", ":{token}", "x:{token}", "\uff11:{token}", "99999999999:{token}", "{id}:{token}x", "{id}:\u00e9"],
)
def test_a_session_that_does_not_name_its_user_and_token_is_anonymous(app, auth, session_id):
    auth.create()
    with app.app_context():
        user = db.session.scalar(select(User))
        values = {"id": user.id, "token": user.session_token}
    assert session_naming(app, f"{user.id}:{values['token']}").get("/api/me").status_code == 200
    session_id = session_id.encode().decode("unicode_escape").format(**values)
    assert session_naming(app, session_id).get("/api/me").status_code == 401


def test_login_attempts_are_rate_limited(migrated, app_factory):
    class Limited(migrated):
        RATELIMIT_ENABLED = True

    app = app_factory(Limited)
    client = app.test_client()
    statuses = [client.post("/api/login", json={"username": "x", "password": "y"}).status_code for _ in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]


@pytest.fixture
def fresh_limiter(monkeypatch):
    # One limiter serves every app of the process, and it keeps "storage dead" from one app to
    # the next: each test of a failing Redis starts from a limiter that has not seen one.
    monkeypatch.setattr(limiter, "_storage_dead", False)
    return limiter


@contextmanager
def limiter_redis_down(migrated, app_factory, how: str):
    """A client of an app whose limiter's Redis is down, with counselor1's account: hung (a
    server that takes connections and never answers) or stopped (nothing listens)."""
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        if how == "hung":
            hung.listen()

        class Limited(migrated):
            RATELIMIT_ENABLED = True
            RATELIMIT_STORAGE_URI = f"redis://127.0.0.1:{hung.getsockname()[1]}/0"

        app = app_factory(Limited)
        AuthActions(app.test_client(), app).create("counselor1")
        yield app.test_client()


@pytest.mark.parametrize("redis", ["stopped", "hung"])
def test_logins_go_on_and_stay_limited_while_the_limiters_redis_is_down(migrated, app_factory, auth, fresh_limiter, caplog, redis):
    with limiter_redis_down(migrated, app_factory, redis) as client:
        started = time.monotonic()
        assert client.post("/api/login", json={"username": "counselor1", "password": "correct horse battery"}).status_code == 200
        # A hung Redis costs the first login two waits of a second (the failed count, then the
        # limiter's check whether it is back), not more.
        assert time.monotonic() - started < 3
        assert "falling back to in-memory storage" in caplog.text
        statuses = [client.post("/api/login", json={"username": "x", "password": "y"}).status_code for _ in range(10)]
        assert statuses[:9] == [401] * 9 and statuses[9] == 429


def test_requests_without_limits_never_wait_for_the_limiters_redis(migrated, app_factory, auth, fresh_limiter):
    with limiter_redis_down(migrated, app_factory, "hung") as client:
        client.post("/api/login", json={"username": "counselor1", "password": "correct horse battery"})
        # Storage is now dead: the limiter would try Redis again at the next limited request
        # due; a health check, the dashboard's API and its assets are never that request.
        time.sleep(1.1)
        started = time.monotonic()
        for path in ("/healthz", "/api/me", "/api/queue", "/"):
            assert client.get(path).status_code < 500
        assert time.monotonic() - started < 0.9


def test_the_limited_endpoints_are_the_views_with_limits(app):
    from flask_limiter.util import get_qualified_name

    with_limits = {
        endpoint for endpoint, view in app.view_functions.items()
        if limiter.limit_manager.decorated_limits(get_qualified_name(view))
    }
    assert with_limits == LIMITED_ENDPOINTS


def test_behind_a_proxy_each_client_has_its_own_login_limit(migrated, app_factory):
    class BehindProxy(migrated):
        RATELIMIT_ENABLED = True
        PROXY_HOPS = 1

    app = app_factory(BehindProxy)
    client = app.test_client()

    def attempt(address: str) -> int:
        return client.post("/api/login", json={"username": "x", "password": "y"}, headers={"X-Forwarded-For": address}).status_code

    assert [attempt("203.0.113.7") for _ in range(11)][-1] == 429
    # Another client behind the same proxy is not locked out by the first one's attempts.
    assert attempt("203.0.113.8") == 401


def test_without_proxy_hops_a_forwarded_address_is_not_trusted(migrated, app_factory):
    class Limited(migrated):
        RATELIMIT_ENABLED = True

    app = app_factory(Limited)
    client = app.test_client()
    statuses = [
        client.post("/api/login", json={"username": "x", "password": "y"}, headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
        for n in range(11)
    ]
    assert statuses[-1] == 429


def test_the_dashboard_is_for_every_role(client, auth):
    for role in ("counselor", "supervisor", "admin"):
        auth.create(f"{role}1", role)
        auth.login(f"{role}1")
        assert client.get("/dashboard").status_code == 200


def test_passwords_are_hashed_with_scrypt_outside_the_tests(app):
    assert config.ProductionConfig.PASSWORD_HASH_METHOD == config.DevelopmentConfig.PASSWORD_HASH_METHOD == "scrypt"
    # The test profile alone hashes cheaply, so that the suite's thousands of logins stay quick.
    assert config.TestingConfig.PASSWORD_HASH_METHOD.startswith("pbkdf2:")
    with app.app_context():
        app.config["PASSWORD_HASH_METHOD"] = config.ProductionConfig.PASSWORD_HASH_METHOD
        user = User(username="someone", role="counselor")
        user.set_password("correct horse battery")
    assert user.password_hash.startswith("scrypt:32768:8:1$")
    assert user.check_password("correct horse battery") and not user.check_password("wrong horse battery")
