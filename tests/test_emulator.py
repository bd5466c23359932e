"""The telephony emulator against the service served over real HTTP on loopback."""

import json
import random
import threading
import time

import pytest
from flask import Flask, Response, request
from sqlalchemy import func, select, text
from twilio.request_validator import RequestValidator

from helpline.db import db
from helpline.emulator import KeyMix, Options, ProviderQueue, Range, faults, run
from helpline.emulator.emulated_time import CallClock
from helpline.emulator.report import Recorder
from helpline.emulator.transport import Line, Signer
from helpline.models import Call, CallEvent
from tests.support.servers import serving

FAST = {"rate": 200, "time_scale": 0.0005, "wait": Range(5, 120), "talk": Range(30, 300), "play": Range(10, 20)}
# Fields of a call record that depend only on what the caller did, not on timing between calls.
OUTCOME_FIELDS = (
    "status", "queue_result", "abandoned", "duration_seconds", "wait_seconds",
    "menu_key", "category", "emergency", "caller_hash", "language",
)


def emulate(app, base_url: str, **options):
    config = app.config
    return run(base_url, config["TWILIO_AUTH_TOKEN"], config["TWILIO_ACCOUNT_SID"], Options(**{**FAST, **options}))


def records(app) -> dict[str, dict]:
    with app.app_context():
        calls = db.session.scalars(select(Call)).all()
        return {call.call_sid: {name: getattr(call, name) for name in OUTCOME_FIELDS} for call in calls}


def journal_size(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CallEvent))


def clear(app) -> None:
    with app.app_context():
        with db.engine.begin() as connection:
            for table in ("call_events", "calls", "counters"):
                connection.execute(text(f"DELETE FROM {table}"))


def test_every_call_is_recorded_as_the_emulator_played_it(app):
    with serving(app) as base_url:
        summary = emulate(app, base_url, calls=20, seed=11)

    assert summary.problems == [] and summary.problem_count == 0
    assert summary.calls_placed == summary.calls_completed == 20
    stored = records(app)
    assert len(stored) == 20
    menu_keys = app.extensions["helpline.menu"].keys
    for outcome in summary.calls:
        call = stored[outcome.call_sid]
        assert call["status"] == "completed"
        assert call["queue_result"] is not None and call["queue_result"] == outcome.queue_result
        assert call["duration_seconds"] is not None and call["duration_seconds"] == outcome.duration
        assert call["wait_seconds"] == outcome.wait_seconds
        assert call["abandoned"] == (outcome.queue_result == "hangup")
        pressed = outcome.menu_choices[-1]
        assert call["menu_key"] == (pressed if pressed in menu_keys else None)
    assert summary.bridged == sum(call["queue_result"] == "bridged" for call in stored.values())
    assert summary.abandoned == sum(call["abandoned"] for call in stored.values())
    assert summary.bridged + summary.abandoned + summary.gave_up == 20
    assert summary.distinct_deliveries == summary.requests_total == journal_size(app)
    assert summary.requests["/twilio/voice"] == {"200": 20}
    assert summary.requests["/twilio/status"] == {"204": 20}
    assert sum(summary.menu_choices.values()) == sum(len(outcome.menu_choices) for outcome in summary.calls)
    assert summary.latency_ms["p50"] is not None and summary.latency_ms["p50"] <= summary.latency_ms["p99"]
    assert "20 placed, 20 completed" in summary.text()


def test_duplicates_and_out_of_order_deliveries_change_nothing(app):
    with serving(app) as base_url:
        clean = emulate(app, base_url, calls=15, seed=23)
        clean_records = records(app)
        clear(app)
        noisy = emulate(app, base_url, calls=15, seed=23, duplicates=0.4, out_of_order=0.6)
        noisy_records = records(app)

    assert clean.ok and noisy.ok, noisy.problems
    assert noisy.injected["duplicates"] > 0 and noisy.injected["out_of_order"] > 0
    assert len(noisy_records) == 15
    assert noisy_records == clean_records
    # Every byte-identical re-send was answered but journaled once.
    assert noisy.requests_total == noisy.distinct_deliveries + noisy.injected["duplicates"]
    assert journal_size(app) == noisy.distinct_deliveries


def test_malformed_requests_are_refused_and_leave_no_trace(app):
    with serving(app) as base_url:
        summary = emulate(app, base_url, calls=20, seed=5, malformed=1.0)

    assert summary.ok, summary.problems
    assert summary.injected["malformed"] == 20
    for variant, codes in summary.malformed.items():
        expected = {"403"} if variant in faults.SIGNATURE_VARIANTS else {str(code) for code in range(400, 500)}
        assert set(codes) <= expected, (variant, codes)
    assert len(records(app)) == 20
    assert journal_size(app) == summary.distinct_deliveries


def test_each_malformed_variant_is_refused_as_expected(app):
    config = app.config
    params = {
        "CallSid": "CA" + "ab" * 16,
        "AccountSid": config["TWILIO_ACCOUNT_SID"],
        "From": "+989121234567",
        "To": "+981480",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        "CallStatus": "in-progress",
    }
    answers = {}
    with serving(app) as base_url:
        line = Line(
            call_sid=params["CallSid"], signer=Signer(config["TWILIO_AUTH_TOKEN"]), recorder=Recorder(seed=0),
            clock=CallClock(0, threading.Event()), timeout=5, duplicates=0, fault_rng=random.Random(0),
        )
        try:
            for variant in faults.MALFORMED_VARIANTS:
                delivery = faults.malformed_delivery(
                    variant, line, random.Random(variant), params=params,
                    voice_url=f"{base_url}/twilio/voice", status_url=f"{base_url}/twilio/status",
                    gather_url=f"{base_url}/twilio/menu?attempt=1&lang=fa",
                    queue_action_url=f"{base_url}/twilio/queue-result?lang=fa",
                )
                answers[variant] = line.send(delivery).status_code
        finally:
            line.close()
    wrong = {variant: code for variant, code in answers.items() if not faults.refused_as_expected(variant, code)}
    assert wrong == {}
    assert {answers[variant] for variant in faults.SIGNATURE_VARIANTS} == {403}
    assert records(app) == {} and journal_size(app) == 0


def test_a_full_provider_queue_bounces_callers_back_in(app):
    with serving(app) as base_url:
        summary = emulate(app, base_url, calls=12, seed=3, max_queue_size=2, max_bounces=2, wait=Range(100, 200))

    assert summary.ok, summary.problems
    assert summary.requeued > 0 and summary.gave_up > 0
    stored = records(app)
    assert len(stored) == 12 and all(call["status"] == "completed" for call in stored.values())
    for outcome in summary.calls:
        assert stored[outcome.call_sid]["queue_result"] == outcome.queue_result


def test_the_command_prints_json_and_fails_on_problems(app):
    runner = app.test_cli_runner()
    with serving(app) as base_url:
        arguments = ["emulate", "--base-url", base_url, "--calls", "5", "--rate", "100", "--time-scale", "0.0005", "--seed", "9"]
        good = runner.invoke(args=[*arguments, "--json"])
        bad = runner.invoke(args=[*arguments, "--auth-token", "not-the-token"])

    assert good.exit_code == 0, good.output
    summary = json.loads(good.stdout)
    assert summary["calls_placed"] == summary["calls_completed"] == 5
    assert summary["problem_count"] == 0 and summary["seed"] == 9
    assert len(records(app)) == 5
    assert bad.exit_code == 1
    assert "valid request answered 403" in bad.stdout


def test_it_follows_twiml_as_the_provider_does():
    """Against a stub: relative URLs, signatures, silence falling through, the queue, the status callback."""
    stub = Flask("stub")
    token, seen = "stub-token", []

    @stub.post("/<path:path>")
    def anything(path):
        valid = RequestValidator(token).validate(request.url, request.form, request.headers.get("X-Twilio-Signature", ""))
        seen.append((request.path, request.form.to_dict(), valid))
        documents = {
            "ivr/voice": '<Response><Gather action="menu" timeout="3"><Say>hi</Say></Gather><Redirect>../queue/in?x=1</Redirect></Response>',
            "queue/in": '<Response><Enqueue waitUrl="hold" action="/queue/out">line</Enqueue></Response>',
            "queue/hold": "<Response><Pause length=\"7\"/></Response>",
            "queue/out": "<Response><Hangup/></Response>",
        }
        if path == "ivr/status":
            return Response(status=204)
        return Response(documents[path], mimetype="text/xml")

    with serving(stub) as base_url:
        summary = run(base_url, token, "AC" + "2" * 32, Options(
            calls=1, seed=1, voice_path="/ivr/voice", status_path="/ivr/status", key_mix=KeyMix.parse("silence=1"),
            time_scale=0.0005, wait=Range(30, 30), abandon=0.0, talk=Range(10, 10),
        ))

    assert summary.ok, summary.problems
    paths = [path for path, _, _ in seen]
    assert paths[:2] == ["/ivr/voice", "/queue/in"] and paths[-2:] == ["/queue/out", "/ivr/status"]
    assert set(paths[2:-2]) == {"/queue/hold"} and len(paths[2:-2]) == 5  # 30 s of 7-second holds
    assert all(valid for _, _, valid in seen)
    statuses = [params["CallStatus"] for _, params, _ in seen]
    assert statuses[0] == "ringing" and set(statuses[1:-1]) == {"in-progress"} and statuses[-1] == "completed"
    out = seen[-2][1]
    assert out["QueueResult"] == "bridged" and out["QueueTime"] == "30" and out["QueueSid"].startswith("QU")
    hold = seen[3][1]
    assert hold["QueuePosition"] == "1" and hold["QueueTime"] == "7" and hold["MaxQueueSize"] == "1000"
    final = seen[-1][1]
    assert final["CallbackSource"] == "call-progress-events" and final["SequenceNumber"] == "2"
    assert final["CallDuration"] == str(summary.calls[0].duration) and final["Timestamp"].endswith("GMT")
    assert {params["CallSid"] for _, params, _ in seen} == {summary.calls[0].call_sid}


def test_provider_queue_is_fifo_bounded_and_exits_once():
    queue = ProviderQueue("line", "QU" + "0" * 32, max_size=2)
    first, second = queue.join("CA1"), queue.join("CA2")
    assert queue.join("CA3") is None
    assert queue.members() == ["CA1", "CA2"] and queue.position("CA2") == 2
    assert queue.bridge_front() == "CA1" and first.result == "bridged" and first.exited.is_set()
    assert queue.position("CA2") == 1
    assert queue.hang_up("CA2") and not queue.bridge("CA2")
    assert second.result == "hangup" and queue.size() == 0


def test_option_parsing():
    assert Range.parse("5-10") == Range(5, 10) and Range.parse("3") == Range(3, 3)
    with pytest.raises(ValueError):
        Range.parse("10-5")
    with pytest.raises(ValueError):
        KeyMix.parse("1=1,banana=2")
    mix = KeyMix.parse("9=1")
    assert mix.draw(random.Random(0)) == "9"
    with pytest.raises(ValueError):
        Options(duplicates=1.5)


def test_stopping_hangs_up_every_live_call_at_once(app):
    stop = threading.Event()
    config = app.config
    with serving(app) as base_url:
        timer = threading.Timer(0.5, stop.set)
        timer.start()
        started = time.monotonic()
        summary = run(
            base_url, config["TWILIO_AUTH_TOKEN"], config["TWILIO_ACCOUNT_SID"],
            Options(calls=50, rate=20, time_scale=1, seed=2), stop=stop,
        )
        elapsed = time.monotonic() - started
        timer.join()

    assert elapsed < 3
    assert summary.ok, summary.problems
    assert 0 < summary.calls_placed < 50 and summary.calls_completed == summary.calls_placed
    stored = records(app)
    assert len(stored) == summary.calls_placed
    assert all(call["status"] == "completed" for call in stored.values())
