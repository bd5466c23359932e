"""The call flow as the provider drives it, over HTTP with signed requests."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from helpline.db import db
from helpline.models import Call, CallEvent
from tests.support.calls import NOW, call_record, place_call, queue_sids, twiml
from tests.support.provider import new_call_sid


@pytest.mark.parametrize(
    "digits, category, priority",
    [
        ("1", "counselling", "normal"),
        ("2", "children_family", "normal"),
        ("3", "disability", "normal"),
        ("4", "elderly", "normal"),
        ("5", "addiction_social_harms", "normal"),
        ("9", "suicide_self_harm", "emergency"),
    ],
)
def test_each_menu_key_queues_into_its_category(app, provider, at, digits, category, priority):
    call_sid = new_call_sid()
    root = place_call(provider, call_sid, digits)
    enqueue = root.find("Enqueue")
    assert enqueue.text == "helpline"
    assert enqueue.get("waitUrl").startswith("/twilio/wait") and enqueue.get("action").startswith("/twilio/queue-result")
    record = call_record(app, call_sid)
    assert (record.category, record.priority, record.menu_key) == (category, priority, digits)
    assert record.enqueued_at == NOW and record.language == "en"
    assert record.emergency == (digits == "9")


def test_silence_goes_to_counselling(app, provider, at):
    call_sid = new_call_sid()
    root = place_call(provider, call_sid, digits=None)
    assert root.find("Enqueue") is not None
    record = call_record(app, call_sid)
    assert (record.category, record.priority, record.priority_reasons) == ("counselling", "normal", ["no_choice"])


def test_wrong_key_asks_once_more_then_counselling(app, provider, at):
    call_sid = new_call_sid()
    params = provider.params(call_sid, CallStatus="in-progress")
    first = twiml(provider.post("/twilio/menu?attempt=1&lang=en", {**params, "Digits": "7"}))
    gather = first.find("Gather")
    assert gather is not None and first.find("Redirect") is not None
    assert "not one of the choices" in gather.find("Say").text
    assert call_record(app, call_sid).enqueued_at is None

    second = twiml(provider.post(gather.get("action"), {**params, "Digits": "7"}))
    assert second.find("Enqueue") is not None
    assert call_record(app, call_sid).category == "counselling"


def test_wrong_key_then_a_right_one(app, provider, at):
    call_sid = new_call_sid()
    params = provider.params(call_sid, CallStatus="in-progress")
    first = twiml(provider.post("/twilio/menu?attempt=1&lang=en", {**params, "Digits": "#"}))
    twiml(provider.post(first.find("Gather").get("action"), {**params, "Digits": "4"}))
    assert call_record(app, call_sid).category == "elderly"


def test_menu_attempt_out_of_range_is_refused(app, provider):
    response = provider.post("/twilio/menu?attempt=3", {**provider.params(new_call_sid()), "Digits": "1"})
    assert response.status_code == 400 and b"attempt" in response.data


def test_persian_is_the_default_language(app, provider, at):
    call_sid = new_call_sid()
    root = twiml(provider.post("/twilio/voice", provider.params(call_sid, CallStatus="ringing")))
    assert root.find("Say").get("language") == "fa-IR"
    assert call_record(app, call_sid).language == "fa"


def test_danger_now_is_served_before_everyone(app, provider, client, auth, at):
    routine = [new_call_sid() for _ in range(3)]
    for offset, call_sid in enumerate(routine):
        at(offset)
        place_call(provider, call_sid, "1", caller=f"+98912000000{offset}")
    at(10)
    danger = new_call_sid()
    place_call(provider, danger, "9", caller="+989120000009")
    auth.create()
    auth.login()
    at(20)
    assert queue_sids(client) == [danger, *routine]


def test_repeat_caller_and_earlier_high_risk_raise_priority(app, provider, client, auth, at):
    earlier = new_call_sid()
    place_call(provider, earlier, "1", caller="+989125550000")
    with app.app_context():
        db.session.get(Call, earlier).risk_level = "high"
        db.session.commit()
    at(60)
    again = new_call_sid()
    place_call(provider, again, "1", caller="+98 912 555 0000")
    record = call_record(app, again)
    assert record.priority == "high" and record.repeat_caller
    assert record.priority_reasons == ["previous_high_risk", "repeat_caller"]


def test_aging_moves_a_long_waiting_caller_ahead_of_later_repeat_callers(app, provider, client, auth, at):
    first = new_call_sid()
    place_call(provider, first, "1", caller="+989121110000")
    # A caller who will call again, making the later call a repeat (elevated).
    at(5)
    place_call(provider, new_call_sid(), "1", caller="+989122220000")
    at(30)
    repeat = new_call_sid()
    place_call(provider, repeat, "1", caller="+989122220000")
    auth.create()
    auth.login()
    at(60)
    assert queue_sids(client)[0] == repeat
    at(app.config["AGING_STEP_SECONDS"] + 1)
    sids = queue_sids(client)
    assert sids.index(first) < sids.index(repeat)
    entry = client.get("/api/queue").json["calls"][0]
    assert entry["call_sid"] == first and "waiting_long" in entry["priority_reasons"]


def test_wait_url_tells_our_position_in_served_order(app, provider, at):
    routine = new_call_sid()
    place_call(provider, routine, "2", caller="+989120000001")
    danger = new_call_sid()
    place_call(provider, danger, "9", caller="+989120000002")
    at(30)
    # The provider (first in, first out) says 1; in served order the routine caller is 2nd.
    root = twiml(provider.post("/twilio/wait?lang=en", provider.params(routine, "+989120000001", QueuePosition="1", QueueTime="30", CallStatus="in-progress")))
    assert "number 2 in the queue" in root[0].text
    assert root[-1].tag == "Play"


def test_wait_url_for_danger_now_reassures(app, provider, at):
    call_sid = new_call_sid()
    action = place_call(provider, call_sid, "9").find("Enqueue").get("waitUrl")
    assert "emergency=1" in action
    root = twiml(provider.post(action, provider.params(call_sid, QueuePosition="1", QueueTime="5", CallStatus="in-progress")))
    assert "immediate danger" in root[0].text


def test_expected_wait_comes_from_recent_answered_calls(app, provider, at):
    answered = new_call_sid()
    place_call(provider, answered, "1", caller="+989120000003")
    at(300)
    provider.post("/twilio/queue-result?lang=en", provider.params(answered, "+989120000003", QueueResult="bridged", QueueTime="300", CallStatus="in-progress"))
    provider.post("/twilio/status", provider.params(answered, "+989120000003", CallStatus="completed", CallDuration="400"))
    waiting = new_call_sid()
    place_call(provider, waiting, "1", caller="+989120000004")
    at(360)
    root = twiml(provider.post("/twilio/wait?lang=en", provider.params(waiting, "+989120000004", QueuePosition="1", QueueTime="60", CallStatus="in-progress")))
    # 300 s average wait, 60 s already waited: about 4 minutes left.
    assert "about 4 minutes" in root[1].text


QUEUE_RESULTS = {
    # result: (abandoned, answer, still waiting)
    "bridged": (False, "Hangup", False),
    "bridging-in-process": (False, "Hangup", False),
    "hangup": (True, "Hangup", False),
    "redirected": (False, None, False),
    "redirected-from-waitUrl": (False, None, False),
    "queue-full": (False, "Enqueue", True),
    "error": (False, "Enqueue", True),
    "system-error": (False, "Enqueue", True),
    "leave": (False, "Enqueue", True),
    "some-new-result": (False, "Enqueue", True),
}


@pytest.mark.parametrize("result", QUEUE_RESULTS)
def test_every_queue_result(app, provider, client, auth, at, result):
    abandoned, answer, still_waiting = QUEUE_RESULTS[result]
    call_sid = new_call_sid()
    action = place_call(provider, call_sid, "9").find("Enqueue").get("action")
    at(45)
    root = twiml(provider.post(action, provider.params(call_sid, QueueResult=result, QueueTime="45", QueueSid="QU" + "0" * 32, CallStatus="in-progress")))
    assert [child.tag for child in root][-1:] == ([answer] if answer else [])
    if answer == "Enqueue":
        # Back into the same queue, still marked as danger-now.
        assert "emergency=1" in root.find("Enqueue").get("waitUrl")
    record = call_record(app, call_sid)
    assert (record.queue_result, record.abandoned, record.wait_seconds) == (result, abandoned, 45)
    auth.create()
    auth.login()
    assert (call_sid in queue_sids(client)) == still_waiting


def test_queue_result_is_required_on_the_action_url(app, provider):
    response = provider.post("/twilio/queue-result", provider.params(new_call_sid(), QueueTime="3"))
    assert response.status_code == 400 and response.data == b"missing QueueResult\n"


def test_status_callback_records_final_status_and_duration(app, provider, at):
    call_sid = new_call_sid()
    place_call(provider, call_sid, "1")
    response = provider.post(
        "/twilio/status",
        provider.params(call_sid, CallStatus="completed", CallDuration="125", SequenceNumber="3", Timestamp="Sat, 28 Nov 2026 10:02:05 +0000"),
    )
    assert response.status_code == 204
    record = call_record(app, call_sid)
    assert (record.status, record.duration_seconds) == ("completed", 125)
    assert record.ended_at == NOW + timedelta(seconds=125)


def test_status_callback_for_an_unknown_call_creates_it(app, provider):
    call_sid = new_call_sid()
    assert provider.post("/twilio/status", provider.params(call_sid, CallStatus="no-answer", CallDuration="0")).status_code == 204
    record = call_record(app, call_sid)
    assert record.status == "no-answer" and record.enqueued_at is None


def test_every_webhook_is_journaled_once_without_the_number(app, provider, at):
    call_sid = new_call_sid()
    place_call(provider, call_sid, "1")
    params = provider.params(call_sid, CallStatus="completed", CallDuration="10")
    for _ in range(3):
        provider.post("/twilio/status", params)
    with app.app_context():
        events = db.session.scalars(select(CallEvent).where(CallEvent.call_sid == call_sid).order_by(CallEvent.id)).all()
        assert [event.kind for event in events] == ["voice", "menu", "status"]
        assert all("From" not in event.params and "Caller" not in event.params for event in events)
        assert db.session.scalar(select(func.count()).select_from(Call)) == 1
