"""Logging in: a name nobody has takes as long as a wrong password; failed logins to one account
are limited from every address together; a session ends after an idle time and a lifetime."""

import statistics
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from helpline import clock
from helpline.db import db
from helpline.live import socketio
from helpline.models import User
from tests.support.users import csrf_token

PASSWORD = "correct horse battery"


def login_seconds(client, username: str, password: str) -> float:
    started = time.perf_counter()
    response = client.post("/api/login", json={"username": username, "password": password})
    elapsed = time.perf_counter() - started
    assert response.status_code == 401
    return elapsed


def test_an_unknown_name_takes_as_long_as_a_wrong_password(app, client, auth):
    auth.create()
    auth.create("gone", "counselor")
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "gone")).active = False
        db.session.commit()
    login_seconds(client, "nobody", "warm up the dummy hash")
    times = {"wrong password": [], "unknown name": [], "deactivated": []}
    for _ in range(5):
        times["wrong password"].append(login_seconds(client, "counselor1", "not the password"))
        times["unknown name"].append(login_seconds(client, "nobody-at-all", "not the password"))
        times["deactivated"].append(login_seconds(client, "gone", PASSWORD))
    medians = {kind: statistics.median(seconds) for kind, seconds in times.items()}
    # A password hash takes tens of milliseconds; a lookup alone takes about one.
    assert medians["unknown name"] > 0.5 * medians["wrong password"], medians
    assert medians["deactivated"] > 0.5 * medians["wrong password"], medians


@pytest.fixture
def limited(app, migrated, app_factory):
    # After `app`: one limiter serves every app, and the last app made turns it on or off.
    class Limited(migrated):
        RATELIMIT_ENABLED = True
        PROXY_HOPS = 1

    return app_factory(Limited)


def attempt(client, username: str, password: str, address: str) -> int:
    return client.post("/api/login", json={"username": username, "password": password}, headers={"X-Forwarded-For": address}).status_code


def test_failed_logins_to_one_account_are_limited_from_every_address(limited, auth):
    client = limited.test_client()
    auth.app = limited
    auth.create()
    auth.create("counselor2")
    # Spread over many addresses, each well under its own limit of 10 a minute.
    statuses = [attempt(client, "counselor1", f"guess {n}", f"203.0.113.{n}") for n in range(21)]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429
    # The account itself is now refused, the right password too, from anywhere, on the page too.
    assert attempt(client, "counselor1", PASSWORD, "198.51.100.1") == 429
    form = client.get("/login", headers={"X-Forwarded-For": "198.51.100.2"})
    page = client.post(
        "/login", data={"username": "counselor1", "password": PASSWORD, "csrf_token": csrf_token(form.data)}, headers={"X-Forwarded-For": "198.51.100.2"}
    )
    assert page.status_code == 429
    # Another account is not locked out, nor is a name nobody has told apart from one that exists.
    assert attempt(client, "counselor2", PASSWORD, "198.51.100.3") == 200
    statuses = [attempt(client, "nobody", f"guess {n}", f"192.0.2.{n}") for n in range(21)]
    assert statuses[20] == 429


def test_logins_that_work_do_not_count_against_the_account(limited, auth):
    client = limited.test_client()
    auth.app = limited
    auth.create()
    assert [attempt(client, "counselor1", PASSWORD, f"203.0.113.{n}") for n in range(25)] == [200] * 25


class Clock:
    def __init__(self, monkeypatch):
        self.moment = clock.now()
        monkeypatch.setattr(clock, "now", lambda: self.moment)

    def advance(self, **delta) -> None:
        self.moment += timedelta(**delta)


def test_the_defaults_suit_a_shift(app):
    assert app.config["SESSION_IDLE_MINUTES"] == 45 and app.config["SESSION_MAX_HOURS"] == 13


def test_a_session_ends_after_the_idle_time(client, auth, monkeypatch):
    now = Clock(monkeypatch)
    auth.create()
    auth.login()
    for _ in range(3):
        now.advance(minutes=44)
        assert client.get("/api/me").status_code == 200
    now.advance(minutes=46)
    assert client.get("/api/me").status_code == 401
    # Ended, not only refused once: going back in time does not bring it back.
    now.advance(minutes=-46)
    assert client.get("/api/me").status_code == 401
    page = client.get("/dashboard")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")


def test_a_session_ends_after_its_lifetime_however_busy(client, auth, monkeypatch):
    now = Clock(monkeypatch)
    auth.create()
    auth.login()
    for _ in range(12 * 2):
        now.advance(minutes=30)
        assert client.get("/api/me").status_code == 200
    now.advance(minutes=61)
    assert client.get("/api/me").status_code == 401
    assert auth.login().status_code == 200 and client.get("/api/me").status_code == 200


def test_an_expired_session_opens_no_socket(app, client, auth, monkeypatch):
    now = Clock(monkeypatch)
    auth.create()
    auth.login()
    socket = socketio.test_client(app, flask_test_client=client)
    assert socket.is_connected()
    socket.disconnect()
    now.advance(minutes=46)
    assert not socketio.test_client(app, flask_test_client=client).is_connected()


def test_the_limits_are_settings(migrated, app_factory, auth, monkeypatch):
    class Short(migrated):
        SESSION_IDLE_MINUTES = 5
        SESSION_MAX_HOURS = 1

    app = app_factory(Short)
    client = app.test_client()
    auth.app, auth.client = app, client
    now = Clock(monkeypatch)
    auth.create()
    auth.login()
    now.advance(minutes=6)
    assert client.get("/api/me").status_code == 401
