"""Counselors read only the calls they handled (their notes, drafts included, are theirs);
supervisors and admins read every call. Another counselor's call is a 403, as for PATCH."""

import pytest
from sqlalchemy import select

from helpline import clock
from helpline.db import db
from helpline.models import Call, User
from tests.support.provider import new_call_sid


def handled_call(app, username: str | None, notes: str) -> str:
    call_sid = new_call_sid()
    with app.app_context():
        counselor_id = db.session.scalar(select(User.id).where(User.username == username)) if username else None
        now = clock.now()
        db.session.add(Call(call_sid=call_sid, started_at=now, taken_at=now, ended_at=now, counselor_id=counselor_id, notes=notes))
        db.session.commit()
    return call_sid


@pytest.fixture
def calls(app, auth):
    for username, role in (("counselor1", "counselor"), ("counselor2", "counselor"), ("supervisor1", "supervisor"), ("admin1", "admin")):
        auth.create(username, role)
    return {
        "mine": handled_call(app, "counselor1", "my draft"),
        "theirs": handled_call(app, "counselor2", "their draft: the caller's school and street"),
        "nobodys": handled_call(app, None, None),
    }


def test_a_counselor_lists_only_their_calls(client, auth, calls):
    auth.login("counselor1")
    body = client.get("/api/calls").json
    assert body["total"] == 1 and [call["call_sid"] for call in body["calls"]] == [calls["mine"]]
    assert "their draft" not in client.get("/api/calls?per_page=200").text


def test_a_counselor_reads_their_call_and_not_anothers(client, auth, calls):
    auth.login("counselor1")
    assert client.get(f"/api/calls/{calls['mine']}").json["notes"] == "my draft"
    for other in ("theirs", "nobodys"):
        response = client.get(f"/api/calls/{calls[other]}")
        assert response.status_code == 403 and "notes" not in response.json
        # The same answer as writing to it.
        assert client.patch(f"/api/calls/{calls[other]}", json={"notes": "x"}).status_code == 403
    assert client.get(f"/api/calls/{new_call_sid()}").status_code == 404


@pytest.mark.parametrize("username", ["supervisor1", "admin1"])
def test_supervisors_and_admins_read_every_call(client, auth, calls, username):
    auth.login(username)
    assert client.get("/api/calls").json["total"] == 3
    assert client.get(f"/api/calls/{calls['theirs']}").json["notes"] == "their draft: the caller's school and street"
