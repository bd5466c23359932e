"""Load for the fault tests: the emulator placing calls in the background while a test breaks
things, and the database checked against what the emulator sent."""

import threading
from contextlib import contextmanager
from urllib.parse import urlsplit

from sqlalchemy import select

from helpline import call_log
from helpline.db import db
from helpline.emulator import Options, run
from helpline.models import Call, CallEvent

# The webhook each of our URLs journals as (telephony/twilio/voice.py and voice_connect.py).
KINDS = {
    "/twilio/voice": "voice",
    "/twilio/menu": "menu",
    "/twilio/enqueue": "enqueue",
    "/twilio/wait": "wait",
    "/twilio/queue-result": "queue_result",
    "/twilio/status": "status",
    "/twilio/connect": "connect",
    "/twilio/dial-result": "dial_result",
}


def expected_dedupe_keys(acknowledged, secret: str) -> set[str]:
    """The journal keys the service computes for the requests it acknowledged (call_log.dedupe_key)."""
    return {
        call_log.dedupe_key(KINDS[urlsplit(url).path], url, dict(params), secret)
        for url, params in acknowledged
    }


@contextmanager
def background_load(app, base_url: str, **options):
    """The emulator placing calls in a thread while the test breaks things; on exit, waits for
    every call to end. Yields a dict that then holds the Summary."""
    outcome = {}
    config = app.config

    def work() -> None:
        outcome["summary"] = run(base_url, config["TWILIO_AUTH_TOKEN"], config["TWILIO_ACCOUNT_SID"], Options(**options))

    thread = threading.Thread(target=work, name="fault-load")
    thread.start()
    try:
        yield outcome
    finally:
        thread.join(180)
    assert not thread.is_alive(), "the load did not finish"
    assert "summary" in outcome, "the emulator failed"


def assert_recorded_exactly_once(app, summary, *, finished=True) -> None:
    """The database against what the emulator sent: each acknowledged webhook journaled once,
    and (unless a worker died under the load) nothing else, every call placed, each in the
    final state it played."""
    with app.app_context():
        stored = {call.call_sid: call for call in db.session.scalars(select(Call))}
        journal = list(db.session.execute(select(CallEvent.call_sid, CallEvent.dedupe_key)))

    keys = [dedupe_key for _, dedupe_key in journal]
    assert len(keys) == len(set(keys))
    missing = expected_dedupe_keys(summary.acknowledged, app.config["CALLER_HASH_KEY"]) - set(keys)
    assert not missing, f"{len(missing)} acknowledged webhooks not recorded"
    placed = {outcome.call_sid for outcome in summary.calls}
    if not finished:
        # A request cut off by a dead worker may have been recorded without its answer.
        assert set(stored) <= placed
        return
    assert len(keys) == summary.distinct_deliveries == len(summary.acknowledged)
    assert set(stored) == placed
    menu_keys = app.extensions["helpline.menu"].keys
    wrong = []
    for outcome in summary.calls:
        call = stored[outcome.call_sid]
        pressed = outcome.menu_choices[-1] if outcome.menu_choices else None
        key = pressed if pressed in menu_keys else None
        played = ("completed", outcome.queue_result, outcome.queue_result == "hangup", outcome.duration, outcome.wait_seconds, key)
        recorded = (call.status, call.queue_result, call.abandoned, call.duration_seconds, call.wait_seconds, call.menu_key)
        if played != recorded:
            wrong.append((outcome.call_sid, played, recorded))
    assert wrong == []
