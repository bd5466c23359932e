"""Calls for the tests: the service's clock set, callers queued through the signed webhooks, a
whole call's webhooks in order, and a caller given to a counselor as taking one leaves them.

Fixture (registered by conftest.py): `at`, which sets the service's clock."""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pytest

from helpline import call_queue, clock
from helpline.db import db
from helpline.models import Call, User
from tests.support.provider import Provider, new_call_sid

# The moment the call tests happen at, unless they say otherwise.
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def at(monkeypatch):
    """Set the service's clock: `at(moment)`, or `at(seconds)` after NOW. Set to NOW at first."""

    def set_time(moment: datetime | float = 0):
        when = moment if isinstance(moment, datetime) else NOW + timedelta(seconds=moment)
        monkeypatch.setattr(clock, "now", lambda: when)

    set_time(0)
    return set_time


def queue_caller(provider, digits: str = "1", caller: str = "+989121234567") -> str:
    """A caller presses a key at the menu, and the answer queues them; their CallSid. `provider`
    is a `Provider` (the test client) or an `HttpProvider` (a served app)."""
    call_sid = new_call_sid()
    response = provider.post("/twilio/menu?attempt=1&lang=en", Provider.params(call_sid, caller, Digits=digits, CallStatus="in-progress"))
    assert response.status_code == 200, response.text
    assert ET.fromstring(response.text).find("Enqueue") is not None, response.text
    return call_sid


def twiml(response) -> ET.Element:
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/xml"
    return ET.fromstring(response.data)


def place_call(provider, call_sid: str, digits: str | None = None, caller: str = "+989121234567", lang: str = "en") -> ET.Element:
    """Greeting, then one key (or silence); returns the TwiML that queued the caller."""
    root = twiml(provider.post(f"/twilio/voice?lang={lang}", provider.params(call_sid, caller, CallStatus="ringing")))
    gather = root.find("Gather")
    params = provider.params(call_sid, caller, CallStatus="in-progress")
    if digits is None:
        return twiml(provider.post(root.find("Redirect").text, params))
    return twiml(provider.post(gather.get("action"), {**params, "Digits": digits}))


def call_events(call_sid: str, caller: str, result: str) -> list[tuple[str, dict]]:
    """Every webhook of one call's life, in the order the provider would send them."""

    def params(**extra):
        return Provider.params(call_sid, caller, **extra)

    def status(name, sequence, seconds, **extra):
        stamp = (NOW + timedelta(seconds=seconds)).strftime("%a, %d %b %Y %H:%M:%S +0000")
        return params(CallStatus=name, SequenceNumber=str(sequence), Timestamp=stamp, CallbackSource="call-progress-events", **extra)

    return [
        ("/twilio/status", status("initiated", 0, -2)),
        ("/twilio/status", status("ringing", 1, -1)),
        ("/twilio/voice?lang=en", params(CallStatus="ringing")),
        ("/twilio/menu?attempt=1&lang=en", params(CallStatus="in-progress", Digits="7")),
        ("/twilio/menu?attempt=2&lang=en", params(CallStatus="in-progress", Digits="3")),
        ("/twilio/wait?lang=en", params(CallStatus="in-progress", QueueTime="10", QueuePosition="2")),
        ("/twilio/wait?lang=en", params(CallStatus="in-progress", QueueTime="20", QueuePosition="1")),
        ("/twilio/queue-result?lang=en", params(CallStatus="in-progress", QueueResult=result, QueueTime="25")),
        ("/twilio/status", status("in-progress", 2, 0)),
        ("/twilio/status", status("completed", 3, 90, CallDuration="90")),
    ]


def call_record(app, call_sid: str) -> Call | None:
    with app.app_context():
        return db.session.get(Call, call_sid)


def queue_sids(client) -> list[str]:
    """The CallSids of the queue, in the order callers will be served."""
    response = client.get("/api/queue")
    assert response.status_code == 200
    return [entry["call_sid"] for entry in response.json["calls"]]


def give_call(app, call_sid: str, username: str) -> None:
    """A counselor on a call, as taking one leaves them (the provider side aside)."""
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == username))
        assert call_queue.claim(call_sid, user.id, clock.now())
        user.presence = "on_call"
        db.session.commit()


def presence_of(app, username: str) -> str:
    with app.app_context():
        return db.session.scalar(db.select(User.presence).where(User.username == username))
