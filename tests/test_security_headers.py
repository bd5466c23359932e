"""Every page and API answer carries a strict Content-Security-Policy, nosniff and a
Referrer-Policy, and call data is never cached; production adds HSTS. The templates hold no
inline script, style or handler for the policy to block (the browser tests run the pages under it)."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from helpline import clock
from helpline.db import db
from helpline.models import Call, User
from tests.support.provider import new_call_sid

TEMPLATES = Path(__file__).resolve().parent.parent / "helpline" / "templates"


@pytest.fixture
def call_sid(app, auth):
    auth.create("admin1", "admin")
    auth.create("counselor1")
    call_sid = new_call_sid()
    with app.app_context():
        counselor_id = db.session.scalar(select(User.id).where(User.username == "counselor1"))
        now = clock.now()
        db.session.add(Call(call_sid=call_sid, started_at=now, taken_at=now, ended_at=now, counselor_id=counselor_id, notes="private", risk_level="high"))
        db.session.commit()
    return call_sid


def pages(call_sid: str) -> list[str]:
    return [
        "/dashboard", "/wallboard", "/reports", "/review", f"/calls/{call_sid}", "/audit", "/admin/users", "/admin",
        "/api/me", "/api/queue", "/api/calls", f"/api/calls/{call_sid}", "/api/wallboard", "/api/reports/summary",
        "/api/reports/calls.csv", "/api/admin/users", "/api/calls/CA0", "/no-such-page",
    ]  # fmt: skip


def assert_protected(response, path: str) -> None:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives.get("script-src") == "'self'" and directives.get("style-src") == "'self'", (path, policy)
    assert directives.get("frame-ancestors") == "'none'" and directives.get("object-src") == "'none'", (path, policy)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, path
    assert response.headers.get("X-Content-Type-Options") == "nosniff", path
    assert response.headers.get("Referrer-Policy") == "same-origin", path
    assert response.headers.get("X-Frame-Options") == "DENY", path


def test_every_page_and_answer_is_protected_and_not_cached(client, auth, call_sid):
    auth.login("admin1")
    for path in pages(call_sid):
        response = client.get(path)
        assert response.status_code < 500, path
        assert_protected(response, path)
        assert response.headers.get("Cache-Control") == "no-store", path
        assert "Strict-Transport-Security" not in response.headers


def test_the_login_page_and_refusals_too(client, call_sid):
    for path in ("/login", "/api/me", "/dashboard", f"/api/calls/{call_sid}"):
        response = client.get(path)
        assert_protected(response, path)
        assert response.headers.get("Cache-Control") == "no-store", path


def test_static_files_are_cached_as_before(client):
    for path in ("/static/site.css", "/static/dashboard/main.js", "/static/admin/admin.css"):
        response = client.get(path)
        assert response.status_code == 200 and response.headers.get("Cache-Control") != "no-store", path
        assert response.headers.get("X-Content-Type-Options") == "nosniff"


def test_production_adds_hsts(migrated, app_factory):
    class Production(migrated):
        ENV_NAME = "production"

    app = app_factory(Production)
    response = app.test_client().get("/login", base_url="https://helpline.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    # Neither the cookie nor the scheme is Talisman's to change: the service's settings hold.
    assert app.test_client().get("/healthz").status_code in (200, 503)
    assert app.config.get("SESSION_COOKIE_SECURE", False) == getattr(Production, "SESSION_COOKIE_SECURE", False)


def test_the_cookie_stays_usable_over_plain_http_outside_production(app, client, auth):
    auth.create()
    response = auth.login()
    assert "Secure" not in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    assert not app.config.get("SESSION_COOKIE_SECURE")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_templates_hold_nothing_inline_for_the_policy_to_block(template):
    text = template.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text) and not INLINE_STYLE.search(text) and not HANDLER.search(text)
    assert "javascript:" not in text
