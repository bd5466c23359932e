"""Idempotent, order-independent call records: duplicates, late callbacks, concurrency."""

import random
import threading
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select

from helpline import clock
from helpline.caller_privacy import reveal
from helpline.db import db
from helpline.models import Call, CallEvent
from tests.support.calls import NOW, call_events
from tests.support.provider import Provider, new_call_sid

COMPARED = [
    column.name
    for column in Call.__table__.columns
    if column.name not in {"call_sid", "caller_hash", "caller_encrypted", "caller_masked", "updated_at"}
]


def final_record(app, call_sid: str) -> dict:
    with app.app_context():
        call = db.session.get(Call, call_sid)
        return {name: getattr(call, name) for name in COMPARED}


def journal_count(app, call_sid: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CallEvent).where(CallEvent.call_sid == call_sid))


def send_all(provider, events):
    for path, params in events:
        response = provider.post(path, params)
        assert response.status_code in (200, 204), response.data


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), result=st.sampled_from(["bridged", "hangup", "queue-full"]))
def test_any_order_and_repetition_gives_the_same_record(app, provider, monkeypatch, data, result):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    caller = f"+98912{random.randrange(10**7):07d}"
    in_order, shuffled = new_call_sid(), new_call_sid()
    send_all(provider, call_events(in_order, caller, result))

    events = call_events(shuffled, caller.replace("+98912", "+98935"), result)
    repeats = data.draw(st.lists(st.integers(min_value=0, max_value=len(events) - 1), max_size=12))
    deliveries = data.draw(st.permutations(events + [events[i] for i in repeats]))
    send_all(provider, deliveries)

    assert final_record(app, shuffled) == final_record(app, in_order)
    assert journal_count(app, shuffled) == len(events)


def test_the_merged_record(app, provider, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    call_sid = new_call_sid()
    events = call_events(call_sid, "+989121234567", "bridged")
    send_all(provider, list(reversed(events)))
    record = final_record(app, call_sid)
    assert record["status"] == "completed" and record["status_sequence"] == 3
    assert (record["category"], record["menu_key"], record["priority"]) == ("disability", "3", "normal")
    assert (record["queue_result"], record["abandoned"], record["wait_seconds"]) == ("bridged", False, 25)
    # Bridged straight from the queue: answered on leaving it, QueueTime after entering it.
    assert record["answered_at"] == NOW
    assert record["duration_seconds"] == 90
    assert record["started_at"] == NOW - timedelta(seconds=2)
    assert record["enqueued_at"] == NOW - timedelta(seconds=25)
    assert record["ended_at"] == NOW + timedelta(seconds=90)
    with app.app_context():
        call = db.session.get(Call, call_sid)
        assert reveal(call.caller_encrypted, app.config["CALLER_ENCRYPTION_KEY"]) == "+989121234567"


def test_late_callback_never_moves_a_call_backwards(app, provider):
    call_sid = new_call_sid()
    completed = Provider.params(call_sid, CallStatus="completed", SequenceNumber="3", CallDuration="30")
    provider.post("/twilio/status", completed)
    for late in ("ringing", "in-progress", "queued"):
        provider.post("/twilio/status", Provider.params(call_sid, CallStatus=late, SequenceNumber="1"))
    provider.post("/twilio/voice", Provider.params(call_sid, CallStatus="ringing"))
    record = final_record(app, call_sid)
    assert record["status"] == "completed" and record["duration_seconds"] == 30 and record["ended_at"] is not None


def test_a_hangup_is_not_undone_by_a_late_bounce(app, provider):
    call_sid = new_call_sid()
    provider.post("/twilio/queue-result", Provider.params(call_sid, QueueResult="hangup", QueueTime="40"))
    provider.post("/twilio/queue-result", Provider.params(call_sid, QueueResult="queue-full", QueueTime="0"))
    record = final_record(app, call_sid)
    assert (record["queue_result"], record["abandoned"], record["wait_seconds"]) == ("hangup", True, 40)


def concurrently(app, requests: list[tuple[str, dict]], provider) -> list[int]:
    """Send the requests at the same moment, each from its own thread and client."""
    barrier = threading.Barrier(len(requests))
    statuses = [None] * len(requests)

    def send(index, path, params):
        client = app.test_client()
        signature = provider.sign(provider.base_url + path, params)
        barrier.wait()
        statuses[index] = client.post(path, data=params, headers={"X-Twilio-Signature": signature}).status_code

    threads = [threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_simultaneous_duplicates_are_recorded_once(app, provider):
    call_sid = new_call_sid()
    params = Provider.params(call_sid, CallStatus="completed", CallDuration="12", SequenceNumber="4")
    assert concurrently(app, [("/twilio/status", params)] * 8, provider) == [204] * 8
    assert journal_count(app, call_sid) == 1
    assert final_record(app, call_sid)["duration_seconds"] == 12


def test_simultaneous_first_events_create_one_record(app, provider):
    call_sid = new_call_sid()
    events = call_events(call_sid, "+989121234567", "hangup")
    statuses = concurrently(app, events, provider)
    assert all(status in (200, 204) for status in statuses)
    assert journal_count(app, call_sid) == len(events)
    record = final_record(app, call_sid)
    assert record["queue_result"] == "hangup" and record["status"] == "completed" and record["category"] == "disability"


def test_a_caller_who_hangs_up_after_a_bounce_is_abandoned(app, provider):
    call_sid = new_call_sid()
    provider.post("/twilio/menu?attempt=1", Provider.params(call_sid, Digits="1"))
    provider.post("/twilio/queue-result", Provider.params(call_sid, QueueResult="queue-full"))
    assert final_record(app, call_sid)["abandoned"] is False
    provider.post("/twilio/status", Provider.params(call_sid, CallStatus="completed", CallDuration="20"))
    assert final_record(app, call_sid)["abandoned"] is True


def test_completed_before_the_queue_result_settles_either_way(app, provider):
    hung_up, answered = new_call_sid(), new_call_sid()
    for call_sid, result in ((hung_up, "hangup"), (answered, "bridged")):
        provider.post("/twilio/menu?attempt=1", Provider.params(call_sid, Digits="1"))
        provider.post("/twilio/status", Provider.params(call_sid, CallStatus="completed", CallDuration="20"))
        assert final_record(app, call_sid)["abandoned"] is True
        provider.post("/twilio/queue-result", Provider.params(call_sid, QueueResult=result, QueueTime="9"))
    assert final_record(app, hung_up)["abandoned"] is True
    assert final_record(app, answered)["abandoned"] is False


def test_a_bridged_caller_is_answered_queue_time_after_entering_the_queue(app, provider, monkeypatch):
    """The provider reports `bridged` only when the bridged call ends (someone dequeued the
    caller with `<Dial><Queue>`): the answer is QueueTime after the caller entered the queue,
    not the moment of that webhook, whichever of the webhooks arrives first."""
    entered = NOW + timedelta(microseconds=250000)
    ended = (entered + timedelta(seconds=40 + 300)).strftime("%a, %d %b %Y %H:%M:%S +0000")
    records = []
    for reverse in (False, True):
        call_sid = new_call_sid()
        monkeypatch.setattr(clock, "now", lambda: entered)
        events = [
            ("/twilio/menu?attempt=1&lang=en", Provider.params(call_sid, Digits="1", CallStatus="in-progress")),
            ("/twilio/queue-result?lang=en", Provider.params(call_sid, QueueResult="bridged", QueueTime="40", Timestamp=ended)),
            ("/twilio/status", Provider.params(call_sid, CallStatus="completed", CallDuration="345", Timestamp=ended)),
        ]
        send_all(provider, events[::-1] if reverse else events)
        records.append(final_record(app, call_sid))
    for record in records:
        assert (record["enqueued_at"], record["wait_seconds"], record["abandoned"]) == (entered, 40, False)
        assert record["answered_at"] == entered + timedelta(seconds=40)


def test_each_bounce_back_into_the_queue_is_journaled(app, provider):
    import xml.etree.ElementTree as ET

    call_sid = new_call_sid()
    root = ET.fromstring(provider.post("/twilio/menu?attempt=1", Provider.params(call_sid, Digits="1")).data)
    for _ in range(3):
        action = root.find("Enqueue").get("action")
        root = ET.fromstring(provider.post(action, Provider.params(call_sid, QueueResult="queue-full")).data)
    assert "episode=3" in root.find("Enqueue").get("action")
    assert journal_count(app, call_sid) == 4
    assert provider.post("/twilio/queue-result?episode=x", Provider.params(call_sid, QueueResult="hangup")).status_code == 400


def test_on_postgresql_a_webhook_is_one_statement_the_server_commits_by_itself(app, provider):
    """The journal's insert and the call's upsert go as one statement outside a transaction (no
    BEGIN or COMMIT round trips); a duplicate delivery writes nothing."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite records a webhook in its write transaction, one statement after another")
    call_sid = new_call_sid()
    params = Provider.params(call_sid, CallStatus="ringing")
    provider.post("/twilio/voice?lang=en", params)
    written, webhook_thread = [], threading.get_ident()

    def note(connection, cursor, statement, parameters, context, executemany):
        if threading.get_ident() == webhook_thread and "INSERT" in statement:
            written.append((statement, connection.connection.dbapi_connection.autocommit))

    event.listen(engine, "before_cursor_execute", note)
    try:
        assert provider.post("/twilio/status", Provider.params(call_sid, CallStatus="in-progress", SequenceNumber="3")).status_code == 204
        assert provider.post("/twilio/voice?lang=en", params).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert len(written) == 2
    assert all("INSERT INTO call_events" in statement and "INSERT INTO calls" in statement for statement, _ in written)
    assert all(autocommit for _, autocommit in written)
    assert journal_count(app, call_sid) == 2
    assert final_record(app, call_sid)["status"] == "in-progress"
