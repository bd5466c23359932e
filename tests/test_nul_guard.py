"""A NUL character anywhere a person sends text is a 400 that changes nothing, on both databases
(PostgreSQL text cannot hold NUL: these were 500s there). The provider's webhooks replace NUL
instead (tests/test_webhook_checks.py)."""

import pytest
from sqlalchemy import func, select

from helpline.db import db
from helpline.models import User
from tests.support.admin import NEW_USER, log_in_admin
from tests.support.users import post_form, session_csrf_token

REFUSED = "text must not contain NUL characters"


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", f"/api/calls/CA{'0' * 31}%00", None),
        ("get", "/api/calls?from=2026-11-28%00", None),
        ("patch", f"/api/calls/CA{'0' * 32}", {"notes": "a\x00b"}),
        ("put", "/api/presence", {"state": "available\x00"}),
        ("put", "/api/me/language", {"\x00": "en"}),
    ],
)
def test_a_nul_character_anywhere_in_an_api_request_is_400(client, auth, app, method, path, body):
    # Found by the schemathesis run on PostgreSQL: a 500 before.
    auth.create()
    auth.login()
    response = getattr(client, method)(path, json=body)
    assert response.status_code == 400 and response.json == {"error": REFUSED}


def test_a_nul_character_in_a_login_is_400_and_the_anonymous_still_get_401(client, auth):
    auth.create()
    response = client.post("/api/login", json={"username": "counselor1\x00", "password": "correct horse battery"})
    assert response.status_code == 400
    assert client.get("/api/calls/CA%00").status_code == 401


def test_a_nul_character_in_the_login_page_is_400_and_logs_no_one_in(client, auth):
    auth.create()
    form = {"username": "counselor1\x00", "password": "correct horse battery", "csrf_token": session_csrf_token(client)}
    response = client.post("/login", data=form)
    assert response.status_code == 400 and response.text == f"{REFUSED}\n"
    assert client.get("/api/me").status_code == 401
    # The same form without the NUL logs in: only the NUL was refused.
    form["username"] = "counselor1"
    assert client.post("/login", data=form).status_code == 302
    assert client.get("/api/me").status_code == 200


@pytest.mark.parametrize("field", ["username", "phone_number", "password"])
def test_a_nul_character_in_an_admin_form_is_400_and_creates_no_one(app, auth, client, field):
    admin = log_in_admin(app, auth, client)
    before = user_count(app)
    value = NEW_USER[field][:3] + "\x00" + NEW_USER[field][3:]
    changed = {**NEW_USER, field: value, **({"password_again": value} if field == "password" else {})}
    response = post_form(admin, "/admin/users", changed)
    assert response.status_code == 400 and response.text == f"{REFUSED}\n"
    assert user_count(app) == before


def test_a_nul_character_in_a_page_address_is_400_for_the_logged_in(app, auth, client):
    admin = log_in_admin(app, auth, client)
    assert admin.get(f"/calls/CA{'0' * 31}%00").status_code == 400
    assert admin.get("/review?day=2026-11-28%00").status_code == 400


def test_the_anonymous_are_sent_to_log_in_before_anything_is_read(client):
    response = client.get(f"/calls/CA{'0' * 31}%00")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("depth", [900, 5000])
def test_json_nested_deeper_than_the_stack_is_a_400(client, auth, depth):
    # 900: parsed, and walked for NUL without recursion; 5000: deeper than the parser goes.
    deep = "[" * depth + '"\\u0000"' + "]" * depth
    response = client.post("/api/login", data=deep, content_type="application/json")
    assert response.status_code == 400


def test_a_request_without_nul_does_not_need_its_user_to_be_read(app, client, auth, monkeypatch):
    # Who is asking is a database read, read by the guard only for a request holding a NUL: a
    # health check, a page's script or style must not fail on it while the database is down.
    from sqlalchemy.exc import OperationalError

    from helpline.auth import login_manager

    auth.create()
    auth.login()

    def database_down(session_id):
        raise OperationalError("SELECT", {}, Exception("the database is down"))

    monkeypatch.setattr(login_manager, "_user_callback", database_down)
    assert client.get("/healthz").status_code == 200
