"""A lone surrogate ("\\ud800" in JSON) in any text a person sends is a 400 that changes nothing,
never a 500 (no UTF-8 encoder, so neither database, takes it); NUL has its own tests
(tests/test_nul_guard.py). Form bodies cannot carry one: their decoding replaces it."""

import pytest
from sqlalchemy import func, select

from helpline import clock
from helpline.db import db
from helpline.models import AuditRecord, Call, User
from tests.support.provider import new_call_sid

REFUSED = "text must not contain lone surrogates (code points U+D800 to U+DFFF)"
LONE = ["\ud800", "a\udfffb", "\udc80"]


def handled_call(app, username: str) -> str:
    """A call the user took, ended and not yet logged."""
    call_sid = new_call_sid()
    with app.app_context():
        counselor_id = db.session.scalar(select(User.id).where(User.username == username))
        now = clock.now()
        db.session.add(Call(call_sid=call_sid, started_at=now, taken_at=now, ended_at=now, counselor_id=counselor_id, caller_masked="+98********67"))
        db.session.commit()
    return call_sid


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("text", LONE)
def test_a_lone_surrogate_at_login_is_400(client, auth, text):
    auth.create()
    for body in ({"username": text, "password": "correct horse battery"}, {"username": "counselor1", "password": text}):
        response = client.post("/api/login", json=body)
        assert response.status_code == 400 and response.json == {"error": REFUSED}
    assert client.get("/api/me").status_code == 401


def test_the_login_page_form_cannot_carry_one(client, auth):
    # %ED%A0%80 is U+D800 in UTF-8's form: the form's decoding makes it U+FFFD, a wrong name.
    auth.create()
    response = client.post("/login", data=b"username=%ED%A0%80&password=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("field", ["notes", "referral"])
def test_a_lone_surrogate_in_the_call_log_is_400_and_logs_nothing(app, client, auth, field):
    auth.create()
    auth.login()
    call_sid = handled_call(app, "counselor1")
    response = client.patch(f"/api/calls/{call_sid}", json={field: "called about \ud800 school"})
    assert response.status_code == 400 and response.json == {"error": REFUSED}
    with app.app_context():
        assert getattr(db.session.get(Call, call_sid), field) is None
    assert client.patch(f"/api/calls/{call_sid}", json={field: "called about school"}).status_code == 200


def test_a_lone_surrogate_in_the_reveal_reason_is_400_and_reveals_nothing(app, client, auth):
    auth.create("counselor1")
    auth.create("supervisor1", "supervisor")
    call_sid = handled_call(app, "counselor1")
    auth.login("supervisor1")
    response = client.post(f"/api/calls/{call_sid}/reveal", json={"reason": "the police asked \udfff"})
    assert response.status_code == 400 and response.json == {"error": REFUSED}
    assert count(app, AuditRecord) == 0


@pytest.mark.parametrize("field", ["username", "password", "phone_number", "language", "role"])
def test_a_lone_surrogate_in_a_new_user_is_400_and_creates_no_one(app, client, auth, field):
    auth.create("admin1", "admin")
    auth.login("admin1")
    body = {"username": "counselor2", "password": "a good long password", "role": "counselor", "language": "en", "phone_number": "+989121234567"}
    body[field] = body[field][:2] + "\ud800" + body[field][2:]
    response = client.post("/api/admin/users", json=body)
    assert response.status_code == 400 and response.json == {"error": REFUSED}
    assert count(app, User) == 1


def test_a_lone_surrogate_in_a_key_or_a_nested_value_is_found(client, auth):
    auth.create()
    auth.login()
    assert client.put("/api/presence", json={"\ud800": "available"}).status_code == 400
    assert client.put("/api/presence", json={"state": ["available", {"x": "\udbff"}]}).status_code == 400
