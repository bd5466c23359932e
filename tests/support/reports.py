"""Shared by the report tests (no tests here): calls and presence rows inserted directly, and
calls the provider bridged straight from the queue, through the webhooks, at local times of the
helpline (Iran, UTC+03:30, the testing default)."""

import itertools
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime

from helpline.db import db
from helpline.models import Call, PresenceChange, User
from tests.support.provider import Provider, new_call_sid

OFFSET = timedelta(minutes=210)
SL_SECONDS = 20
SHORT_ABANDON_SECONDS = 5
THRESHOLDS = {"service_level_seconds": SL_SECONDS, "short_abandon_seconds": SHORT_ABANDON_SECONDS}


def local(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A local wall-clock moment, as the UTC datetime the database keeps."""
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC) - OFFSET


def day_bounds(first: date, last: date | None = None) -> tuple[datetime, datetime]:
    return local(first), local((last or first) + timedelta(days=1))


def make_call(enqueued_at: datetime | None, **fields) -> Call:
    """A call that reached the queue at `enqueued_at` (None: an IVR drop-off), not answered
    unless `talk_seconds` is given (then answered after its wait)."""
    started_at = (enqueued_at or fields.get("started_at") or datetime(2024, 1, 1, tzinfo=UTC)) - timedelta(seconds=30)
    values = {
        "call_sid": new_call_sid(),
        "started_at": started_at,
        "enqueued_at": enqueued_at,
        "category": "counselling",
        "priority": "normal",
        "categories": [],
        "caller_masked": "+98********67",
        **fields,
    }
    if values.get("talk_seconds") is not None and "answered_at" not in fields:
        values["answered_at"] = enqueued_at + timedelta(seconds=values.get("wait_seconds") or 0)
    return Call(**values)


CALLERS = itertools.count(1)


def provider_bridged(app, enqueued_at: datetime, wait: int, *, talk: int = 300, digits: str = "1") -> str:
    """A caller queued through the phone menu at `enqueued_at`, whom the provider bridged
    straight from the queue after `wait` seconds (someone dequeued them with `<Dial><Queue>`),
    every webhook as the provider sends it: the queue result comes when the bridged call ends,
    `talk` seconds after the answer. No counselor of ours was dialed, so none is on the call.
    Each caller has a number of their own (none is a repeat caller)."""
    provider = Provider(app.test_client(), app.config["TWILIO_AUTH_TOKEN"])
    call_sid, caller = new_call_sid(), f"+98935{next(CALLERS):07d}"
    ended = enqueued_at + timedelta(seconds=wait + talk)
    for path, params, at in (
        ("/twilio/menu?attempt=1&lang=en", {"Digits": digits, "CallStatus": "in-progress"}, enqueued_at),
        ("/twilio/queue-result?lang=en", {"QueueResult": "bridged", "QueueTime": str(wait), "CallStatus": "in-progress"}, ended),
        ("/twilio/status", {"CallStatus": "completed", "CallDuration": str(30 + wait + talk)}, ended),
    ):
        response = provider.post(path, Provider.params(call_sid, caller, Timestamp=format_datetime(at), **params))
        assert response.status_code in (200, 204), response.data
    return call_sid


def add_calls(app, *calls: Call) -> list[str]:
    with app.app_context():
        db.session.add_all(calls)
        db.session.commit()
        return [call.call_sid for call in calls]


def add_user(app, username: str, role: str = "counselor", active: bool = True, language: str = "fa") -> int:
    with app.app_context():
        user = User(username=username, role=role, active=active, language=language)
        user.set_password("correct horse battery")
        db.session.add(user)
        db.session.commit()
        return user.id


def add_presence(app, user_id: int, *changes: tuple[datetime, str]) -> None:
    with app.app_context():
        db.session.add_all(PresenceChange(user_id=user_id, state=state, changed_at=at) for at, state in changes)
        db.session.commit()
