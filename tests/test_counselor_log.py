"""The counselor's log of a call."""

from datetime import date

import pytest
from marshmallow import ValidationError

import config
from helpline import taxonomy
from helpline.counselor_log import CallLogSchema, LogFieldError, validate
from helpline.db import db
from helpline.models import Call
from tests.support.calls import give_call, presence_of, queue_caller
from tests.support.provider import Provider

TAXONOMY = taxonomy.load(config.CONFIG_DIR / "taxonomy.toml")
TODAY = date(2026, 11, 28)


def checked(body: dict, taxonomy, today) -> dict:
    """A body as the route reads it: its schema, then the taxonomy and the day."""
    try:
        loaded = CallLogSchema().load(body)
    except ValidationError as error:
        raise LogFieldError(next(iter(error.messages)), "refused by the schema") from None
    return validate(loaded, taxonomy, today)


COMPLETE = {"call_type": "about_self", "categories": ["anxiety", "suicidal_thoughts"], "risk_level": "low", "outcome": "counselled"}


def test_validate_keeps_good_fields():
    fields = checked({**COMPLETE, "referral": " Behzisti social emergency ", "notes": "n", "follow_up_on": "2026-12-01"}, TAXONOMY, TODAY)
    assert fields["categories"] == ["anxiety", "suicidal_thoughts"]
    assert fields["referral"] == "Behzisti social emergency" and fields["follow_up_on"] == date(2026, 12, 1)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"call_type": "chat"}, "call_type"),
        ({"categories": "anxiety"}, "categories"),
        ({"categories": ["anxiety", "anxiety"]}, "categories"),
        ({"categories": ["astrology"]}, "categories"),
        ({"categories": [1]}, "categories"),
        ({"risk_level": "extreme"}, "risk_level"),
        ({"outcome": 3}, "outcome"),
        ({"referral": "x" * 201}, "referral"),
        ({"notes": ["a"]}, "notes"),
        ({"follow_up_on": "2026-11-27"}, "follow_up_on"),
        ({"follow_up_on": "tomorrow"}, "follow_up_on"),
        ({"follow_up_on": "2026-02-30"}, "follow_up_on"),
        ({"follow_up_on": "2026-W52-1"}, "follow_up_on"),
        ({"mood": "fine"}, "mood"),
    ],
)
def test_validate_names_the_bad_field(body, field):
    with pytest.raises(LogFieldError) as error:
        checked(body, TAXONOMY, TODAY)
    assert error.value.field == field


def test_nulls_clear_fields():
    assert checked({"notes": None, "categories": None, "follow_up_on": None}, TAXONOMY, TODAY) == {
        "notes": None, "categories": [], "follow_up_on": None
    }


@pytest.fixture
def on_call(app, client, auth, provider):
    auth.create()
    auth.login()
    client.put("/api/presence", json={"state": "available"})
    call_sid = queue_caller(provider)
    give_call(app, call_sid, "counselor1")
    return call_sid


def patch(client, call_sid, body):
    return client.patch(f"/api/calls/{call_sid}", json=body)


def test_drafts_are_kept_and_a_complete_log_ends_wrap_up(app, client, provider, on_call):
    draft = patch(client, on_call, {"notes": "caller anxious about exams", "categories": ["anxiety"]})
    assert draft.status_code == 200 and draft.json["log_complete"] is False
    assert client.get("/api/me").json["current_call"]["notes"] == "caller anxious about exams"
    provider.post("/twilio/status", Provider.params(on_call, CallStatus="completed", CallDuration="300"))
    assert presence_of(app, "counselor1") == "wrap_up"
    done = patch(client, on_call, COMPLETE)
    assert done.status_code == 200 and done.json["log_complete"] is True
    assert done.json["categories"] == COMPLETE["categories"] and done.json["notes"] == "caller anxious about exams"
    assert presence_of(app, "counselor1") == "available"
    assert client.get("/api/me").json["current_call"] is None


def test_a_complete_log_cannot_lose_a_required_field(client, on_call):
    patch(client, on_call, COMPLETE)
    response = patch(client, on_call, {"outcome": None})
    assert response.status_code == 400 and response.json["field"] == "outcome"
    assert patch(client, on_call, {"notes": "later note"}).status_code == 200


def test_bad_values_change_nothing(app, client, on_call):
    patch(client, on_call, {"notes": "kept"})
    response = patch(client, on_call, {"notes": "new", "risk_level": "extreme"})
    assert response.status_code == 400 and response.json == {"error": "risk_level: not one of the taxonomy's values", "field": "risk_level"}
    with app.app_context():
        assert db.session.get(Call, on_call).notes == "kept"


def test_only_the_counselor_who_handled_it_logs_it(app, client, auth, provider, on_call):
    auth.create("counselor2")
    auth.login("counselor2")
    assert patch(client, on_call, {"notes": "not mine"}).status_code == 403
    untaken = queue_caller(provider, "2")
    assert patch(client, untaken, {"notes": "nobody's"}).status_code == 403
    assert patch(client, "CA" + "f" * 32, {"notes": "x"}).status_code == 404
    auth.create("supervisor1", "supervisor")
    auth.login("supervisor1")
    assert patch(client, on_call, {"notes": "x"}).status_code == 403
    auth.logout()
    assert patch(client, on_call, {"notes": "x"}).status_code == 401
