"""The webhook journal and the spool keep an allow-list of the provider's parameters: where the
caller's number is registered (FromCity, CallerZip, …), their name, the line's own location and
anything else the provider adds are dropped like the number."""

import json
from datetime import timedelta

from sqlalchemy import select

from helpline import clock
from helpline.call_log import JOURNALED_PARAMS, WebhookEvent
from helpline.db import db
from helpline.models import Call, CallEvent
from helpline.telephony.twilio import call_webhooks
from tests.support.provider import Provider, new_call_sid

IDENTIFYING = {
    "FromCity": "TEHRAN", "FromState": "Tehran", "FromZip": "1234567", "FromCountry": "IR",
    "CallerCity": "TEHRAN", "CallerState": "Tehran", "CallerZip": "1234567", "CallerCountry": "IR",
    "ToCity": "ISFAHAN", "ToState": "Isfahan", "ToZip": "7654321", "ToCountry": "IR",
    "CalledCity": "ISFAHAN", "CalledState": "Isfahan", "CalledZip": "7654321", "CalledCountry": "IR",
    "CallerName": "Ali Rezaei", "ForwardedFrom": "+989121234500", "StirPassportToken": "eyJhbGciOi.+989121234567",
    "StirVerstat": "TN-Validation-Passed-A", "CallToken": "%7B%22parentCallInfoToken%22%3A%22ey%22%7D",
    "Called": "+981480", "To": "+981480", "SomethingNew": "a field the provider adds tomorrow",
}  # fmt: skip


def journal(app, call_sid: str) -> list[dict]:
    with app.app_context():
        return list(db.session.scalars(select(CallEvent.params).where(CallEvent.call_sid == call_sid)))


def test_the_journal_keeps_only_the_allowed_parameters(app, provider):
    call_sid = new_call_sid()
    for path, extra in (
        ("/twilio/voice?lang=en", {"CallStatus": "ringing"}),
        ("/twilio/menu?attempt=1&lang=en", {"CallStatus": "in-progress", "Digits": "1"}),
        ("/twilio/status", {"CallStatus": "completed", "CallDuration": "30", "SequenceNumber": "3"}),
    ):
        assert provider.post(path, Provider.params(call_sid, **IDENTIFYING, **extra)).status_code in (200, 204)
    events = journal(app, call_sid)
    assert len(events) == 3
    for params in events:
        assert set(params) <= JOURNALED_PARAMS and not set(params) & set(IDENTIFYING) and "From" not in params
    assert {"CallSid", "CallStatus", "Direction"} <= set(events[0]) and events[1]["Digits"] == "1"


def test_the_spool_holds_no_more_than_the_journal(app):
    """What a webhook spools while the database is down is the event built here, written as is."""
    params = Provider.params(new_call_sid(), **IDENTIFYING, CallStatus="ringing")
    with app.test_request_context("/twilio/voice?lang=en", method="POST", data=params):
        event = call_webhooks.webhook_event("voice")
    spooled = json.loads(event.to_json())
    assert set(spooled["params"]) <= JOURNALED_PARAMS
    assert not any(value in event.to_json() for value in ("TEHRAN", "Ali Rezaei", "1234567", "+989121234567"))


def test_a_spool_written_before_the_allow_list_is_replayed_without_the_rest(app, runner):
    """A spool line from before still holds where the caller is: it is dropped at replay."""
    call_sid = new_call_sid()
    params = Provider.params(call_sid, **IDENTIFYING, CallStatus="ringing")
    with app.test_request_context("/twilio/voice?lang=en", method="POST", data=params):
        event = call_webhooks.webhook_event("voice")
    old_line = json.loads(event.to_json())
    old_line["params"] = {name: value for name, value in params.items() if name not in ("From", "Caller")}
    spool = app.extensions["helpline.spool"]
    spool.directory.mkdir(parents=True, exist_ok=True)
    (spool.directory / "pending-1.jsonl").write_text(json.dumps(old_line) + "\n")
    assert WebhookEvent.from_json(json.dumps(old_line)).params.keys() <= JOURNALED_PARAMS
    result = runner.invoke(args=["spool", "replay"])
    assert result.exit_code == 0 and "replayed 1" in result.output
    (params,) = journal(app, call_sid)
    assert set(params) <= JOURNALED_PARAMS and "FromCity" not in params


def test_anonymising_drops_what_the_journal_held_before(app, auth, runner):
    """Rows journaled before the allow-list are not migrated; retention's anonymising strips them."""
    auth.create("keeper", "admin")
    call_sid, started = new_call_sid(), clock.now() - timedelta(days=40)
    with app.app_context():
        db.session.add(Call(call_sid=call_sid, started_at=started))
        db.session.add(CallEvent(call_sid=call_sid, dedupe_key="old-delivery", kind="voice", occurred_at=started, received_at=started,
                                 params={"CallSid": call_sid, "CallStatus": "ringing", **IDENTIFYING}))  # fmt: skip
        db.session.commit()
    result = runner.invoke(args=["retention", "--anonymise-days", "30", "--operator", "keeper"])
    assert result.exit_code == 0, result.output
    assert journal(app, call_sid) == [{"CallSid": call_sid, "CallStatus": "ringing"}]
