"""Counselors' presence and its rules."""

import pytest

from helpline import clock
from helpline.db import db
from helpline.models import Call
from tests.support.calls import give_call, presence_of, queue_caller
from tests.support.provider import Provider


def put(client, state):
    return client.put("/api/presence", json={"state": state})


def test_counselor_chooses_states(client, auth, app):
    auth.create()
    auth.login()
    assert presence_of(app, "counselor1") == "offline"
    for state in ("available", "break", "wrap_up", "offline", "available"):
        response = put(client, state)
        assert response.status_code == 200 and response.json["state"] == state
    assert presence_of(app, "counselor1") == "available"
    listed = client.get("/api/presence").json["counselors"]
    assert [(c["username"], c["state"]) for c in listed] == [("counselor1", "available")]


@pytest.mark.parametrize("body, status", [({"state": "asleep"}, 400), ({"state": 1}, 400), ({}, 400), ({"state": "on_call"}, 409)])
def test_bad_or_refused_states(client, auth, body, status):
    auth.create()
    auth.login()
    response = client.put("/api/presence", json=body)
    assert response.status_code == status and response.json["error"]


def test_a_refusal_is_told_in_the_counselors_language(client, auth):
    # The dashboard shows the reason as it comes.
    auth.create(language="fa")
    auth.login()
    response = put(client, "on_call")
    assert response.status_code == 409 and response.json["error"] == "وضعیت «در تماس» با گرفتن تماس‌گیرنده تنظیم می‌شود"


def test_not_json_is_refused(client, auth):
    auth.create()
    auth.login()
    assert client.put("/api/presence", data="state=available").status_code == 400


def test_only_counselors_have_presence_and_anonymous_none(client, auth):
    assert put(client, "available").status_code == 401
    auth.create("supervisor1", "supervisor")
    auth.login("supervisor1")
    assert put(client, "available").status_code == 403
    assert client.get("/api/presence").status_code == 200


def test_on_a_call_no_other_state(app, client, auth, provider):
    auth.create()
    auth.login()
    give_call(app, queue_caller(provider), "counselor1")
    response = put(client, "break")
    assert response.status_code == 409 and "on a call" in response.json["error"]


def test_wrap_up_until_the_log_is_complete(app, client, auth, provider):
    auth.create()
    auth.login()
    call_sid = queue_caller(provider)
    give_call(app, call_sid, "counselor1")
    provider.post("/twilio/status", Provider.params(call_sid, CallStatus="completed", CallDuration="30"))
    assert presence_of(app, "counselor1") == "wrap_up"
    refused = put(client, "available")
    assert refused.status_code == 409 and "log" in refused.json["error"]
    # A break is allowed; being offered callers is not.
    assert put(client, "break").status_code == 200
    with app.app_context():
        db.session.get(Call, call_sid).logged_at = clock.now()
        db.session.commit()
    assert put(client, "available").status_code == 200


def test_logging_out_goes_offline(app, client, auth):
    auth.create()
    auth.login()
    put(client, "available")
    auth.logout()
    assert presence_of(app, "counselor1") == "offline"


def test_a_call_logged_while_talking_ends_straight_in_available(app, client, auth, provider):
    auth.create()
    auth.login()
    call_sid = queue_caller(provider)
    give_call(app, call_sid, "counselor1")
    log = {"call_type": "about_self", "categories": ["anxiety"], "risk_level": "low", "outcome": "counselled"}
    assert client.patch(f"/api/calls/{call_sid}", json=log).json["log_complete"] is True
    assert presence_of(app, "counselor1") == "on_call"
    assert client.get("/api/me").json["current_call"]["call_sid"] == call_sid
    provider.post("/twilio/status", Provider.params(call_sid, CallStatus="completed", CallDuration="30"))
    assert presence_of(app, "counselor1") == "available"
    assert client.get("/api/me").json["current_call"] is None
