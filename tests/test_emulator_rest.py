"""The emulator's fake provider REST API: the service takes a waiting caller out of the queue
through the real twilio library, and the emulator plays the redirect and the `<Dial>`."""

import json
import re
import threading
import time

import pytest
import requests
from flask import Flask, Response, request
from sqlalchemy import select
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.voice_response import Dial, VoiceResponse

from helpline.db import db
from helpline.emulator import KeyMix, Options, Range, RestServer, run
from helpline.models import Call, CallEvent
from tests.support.servers import emulating as emulating_with
from tests.support.servers import serving, wait_for

CALL_SID = re.compile(r"CA[0-9a-f]{32}")
# Slow enough that callers sit in the queue a while (patience 10 s real), fast enough that a
# dial with its talk takes a fraction of a second; the test stops the rest once it has seen enough.
QUEUED = {
    "rate": 100, "time_scale": 0.005, "wait": Range(2000, 2000), "talk": Range(40, 60), "play": Range(20, 30), "ring": Range(2, 4),
    "counselor_no_answer": 0.0, "key_mix": KeyMix.parse("1=1"), "seed": 7,
}
DEADLINE = 8.0


def credentials(app) -> tuple[str, str]:
    return app.config["TWILIO_ACCOUNT_SID"], app.config["TWILIO_AUTH_TOKEN"]


def twilio_client(app, rest_base: str, **overrides) -> Client:
    account_sid, auth_token = credentials(app)
    client = Client(overrides.get("username", account_sid), overrides.get("password", auth_token), overrides.get("account_sid"))
    client.api.base_url = rest_base
    return client


def emulating(base_url: str, account_sid: str, auth_token: str, **options):
    return emulating_with(base_url, account_sid, auth_token, QUEUED, **options)


def connect_routes(app) -> dict[str, list[dict]]:
    """Test-only stand-ins for the service's "connect to counselor" URLs; what they received."""
    seen: dict = {"connect": [], "dial-done": [], "requeue": [], "queue-out": []}
    # Holds a redirected caller in transit (between queues) until the test lets go.
    seen_release = threading.Event()
    validator = RequestValidator(app.config["TWILIO_AUTH_TOKEN"])

    def record(name: str) -> None:
        signed = validator.validate(request.url, request.form, request.headers.get("X-Twilio-Signature", ""))
        seen[name].append({**request.form.to_dict(), "signed": signed})

    def connect():
        record("connect")
        response = VoiceResponse()
        dial = Dial(action="/test/dial-done", method="POST", timeout=20, caller_id="+981480")
        dial.client("counselor-1")
        response.append(dial)
        return Response(str(response), mimetype="text/xml")

    def dial_done():
        record("dial-done")
        response = VoiceResponse()
        response.hangup()
        return Response(str(response), mimetype="text/xml")

    def requeue():
        # A redirect whose TwiML queues the caller again: the cycle must go on.
        record("requeue")
        seen_release.wait(DEADLINE)
        response = VoiceResponse()
        response.enqueue(app.config["TWILIO_QUEUE_NAME"], action="/test/queue-out", method="POST")
        return Response(str(response), mimetype="text/xml")

    def queue_out():
        record("queue-out")
        return Response(str(VoiceResponse()), mimetype="text/xml")

    csrf = app.extensions.get("csrf")
    for view in (connect, dial_done, requeue, queue_out):
        # Signed by the provider, like the service's own webhooks: no CSRF token.
        app.add_url_rule(f"/test/{view.__name__.replace('_', '-')}", f"test_{view.__name__}", view, methods=["POST"])
        if csrf is not None:
            csrf.exempt(view)
    seen["release"] = seen_release
    return seen


def waiting_callers(app, count: int) -> list[tuple[str, str]]:
    """(CallSid, QueueSid) of callers the service sees waiting in the queue, once there are `count`."""

    def query():
        with app.app_context():
            rows = db.session.execute(
                select(Call.call_sid, Call.queue_sid).where(
                    Call.enqueued_at.isnot(None), Call.queue_sid.isnot(None),
                    Call.queue_result.is_(None), Call.ended_at.is_(None),
                )
            ).all()
            db.session.remove()
        return [tuple(row) for row in rows] if len(rows) >= count else None

    return wait_for(query, f"{count} callers waiting")


def journal(app, call_sid: str, kind: str) -> list[dict]:
    with app.app_context():
        events = db.session.scalars(select(CallEvent).where(CallEvent.call_sid == call_sid, CallEvent.kind == kind)).all()
        return [event.params for event in events]


def test_a_counselor_takes_a_waiting_caller_through_the_queue_member(app):
    seen = connect_routes(app)
    account_sid, auth_token = credentials(app)
    with serving(app) as base_url:
        with emulating(base_url, account_sid, auth_token, calls=3) as (outcome, rest_base):
            call_sid, queue_sid = waiting_callers(app, 3)[0]
            client = twilio_client(app, rest_base)
            member = client.queues(queue_sid).members(call_sid).update(url=f"{base_url}/test/connect", method="POST")
            wait_for(lambda: seen["dial-done"], "the <Dial action>")
            client.http_client.session.close()

    summary = outcome["summary"]
    assert summary.ok, summary.problems
    assert member.call_sid == call_sid and member.queue_sid == queue_sid
    assert member.position >= 1 and member.wait_time >= 0 and member.date_enqueued is not None
    assert member.uri == f"/2010-04-01/Accounts/{account_sid}/Queues/{queue_sid}/Members/{call_sid}.json"
    # The provider reported the dequeue to the Enqueue action, then fetched the new URL.
    results = journal(app, call_sid, "queue_result")
    assert [params["QueueResult"] for params in results] == ["redirected"]
    assert results[0]["QueueSid"] == queue_sid and results[0]["QueueTime"].isdigit()
    (connect,) = seen["connect"]
    assert connect["signed"] and connect["CallSid"] == call_sid and connect["CallStatus"] == "in-progress"
    assert connect["AccountSid"] == account_sid and connect["Direction"] == "inbound"
    (done,) = seen["dial-done"]
    assert done["signed"] and done["CallSid"] == call_sid and done["DialCallStatus"] == "completed"
    assert CALL_SID.fullmatch(done["DialCallSid"]) and done["DialCallSid"] != call_sid
    assert 40 <= int(done["DialCallDuration"]) <= 60
    assert summary.redirected == 1 and summary.dials_answered == 1 and summary.dials_unanswered == 0
    assert summary.rest_requests == {"200": 1}
    (taken,) = [call for call in summary.calls if call.call_sid == call_sid]
    assert taken.queue_result == "redirected" and taken.dial_results == ["completed"] and taken.completed
    assert summary.bridged == 0  # nobody else took the others: they were still waiting when stopped


def test_the_call_update_path_a_second_take_and_a_redirect_back_into_the_queue(app):
    seen = connect_routes(app)
    account_sid, auth_token = credentials(app)
    with serving(app) as base_url:
        with emulating(base_url, account_sid, auth_token, calls=3) as (outcome, rest_base):
            (first, queue_sid), *_ = waiting_callers(app, 3)
            client = twilio_client(app, rest_base)
            call = client.calls(first).update(url=f"{base_url}/test/requeue", method="POST")
            # The caller has left the queue (and is held on the way back): a second take is refused, either way.
            try:
                wait_for(lambda: seen["requeue"], "the redirect target")
                with pytest.raises(TwilioRestException) as as_member:
                    client.queues(queue_sid).members(first).update(url=f"{base_url}/test/connect", method="POST")
                with pytest.raises(TwilioRestException) as as_call:
                    client.calls(first).update(url=f"{base_url}/test/connect", method="POST")
            finally:
                # Back in the queue through the redirect's own <Enqueue>: takeable again.
                seen["release"].set()
            member = wait_for(lambda: _take(client, queue_sid, first, f"{base_url}/test/connect"), "the caller back in the queue")
            wait_for(lambda: seen["dial-done"], "the <Dial action>")
            front = client.queues(queue_sid).members("Front").update(url=f"{base_url}/test/connect", method="POST")
            wait_for(lambda: len(seen["dial-done"]) == 2, "the second <Dial action>")
            client.http_client.session.close()

    summary = outcome["summary"]
    assert summary.ok, summary.problems
    assert call.sid == first and call.status == "in-progress" and call.account_sid == account_sid
    assert call.uri == f"/2010-04-01/Accounts/{account_sid}/Calls/{first}.json"
    assert as_member.value.status == as_call.value.status == 404
    assert member.call_sid == first and front.call_sid != first and front.position == 1
    assert [params["QueueResult"] for params in journal(app, first, "queue_result")] == ["redirected"]
    assert [entry["CallSid"] for entry in seen["requeue"]] == [first]
    (out,) = seen["queue-out"]
    assert out["CallSid"] == first and out["QueueResult"] == "redirected" and out["QueueSid"] == queue_sid
    assert {entry["CallSid"] for entry in seen["dial-done"]} == {first, front.call_sid}
    assert summary.redirected == 3 and summary.dials_answered == 2
    assert summary.rest_requests["200"] == 3 and summary.rest_requests["404"] >= 2
    (taken,) = [outcome for outcome in summary.calls if outcome.call_sid == first]
    assert taken.enqueues == 2 and taken.queue_results == ["redirected", "redirected"]


def _take(client: Client, queue_sid: str, call_sid: str, url: str):
    try:
        return client.queues(queue_sid).members(call_sid).update(url=url, method="POST")
    except TwilioRestException as error:
        if error.status != 404:
            raise
        return None


def test_refusals_are_shaped_like_the_providers(app):
    account_sid, auth_token = credentials(app)
    with serving(app) as base_url:
        with emulating(base_url, account_sid, auth_token, calls=1) as (outcome, rest_base):
            (call_sid, queue_sid), = waiting_callers(app, 1)
            url = f"{base_url}/test/connect"
            refusals = {}
            for name, client, action in [
                ("wrong token", twilio_client(app, rest_base, password="not-the-token"), lambda c: c.queues(queue_sid).members(call_sid)),
                ("another account", twilio_client(app, rest_base, account_sid="AC" + "9" * 32), lambda c: c.queues(queue_sid).members(call_sid)),
                ("unknown call", twilio_client(app, rest_base), lambda c: c.calls("CA" + "0" * 32)),
                ("unknown member", twilio_client(app, rest_base), lambda c: c.queues(queue_sid).members("CA" + "0" * 32)),
                ("unknown queue", twilio_client(app, rest_base), lambda c: c.queues("QU" + "0" * 32).members(call_sid)),
            ]:
                with pytest.raises(TwilioRestException) as refused:
                    action(client).update(url=url, method="POST")
                refusals[name] = (refused.value.status, refused.value.code)
                client.http_client.session.close()
            member_url = f"{rest_base}/2010-04-01/Accounts/{account_sid}/Queues/{queue_sid}/Members/{call_sid}.json"
            no_url = requests.post(member_url, auth=(account_sid, auth_token), data={"Method": "POST"}, timeout=5)
            relative = requests.post(member_url, auth=(account_sid, auth_token), data={"Url": "/test/connect"}, timeout=5)
            anonymous = requests.post(member_url, data={"Url": url}, timeout=5)
            # Still waiting: none of those took the caller.
            assert waiting_callers(app, 1) == [(call_sid, queue_sid)]

    summary = outcome["summary"]
    assert summary.ok, summary.problems
    assert refusals == {
        "wrong token": (401, 20003), "another account": (404, 20404), "unknown call": (404, 20404),
        "unknown member": (404, 20404), "unknown queue": (404, 20404),
    }
    assert (no_url.status_code, relative.status_code, anonymous.status_code) == (400, 400, 401)
    body = no_url.json()
    assert set(body) == {"code", "message", "more_info", "status"} and body["status"] == 400 and "Url" in body["message"]
    assert anonymous.headers["WWW-Authenticate"].startswith("Basic")
    assert summary.rest_requests == {"400": 2, "401": 2, "404": 4}
    assert summary.redirected == 0 and summary.abandoned == 1


def test_bridge_self_still_works_beside_a_rest_server(app):
    account_sid, auth_token = credentials(app)
    with serving(app) as base_url:
        with RestServer(account_sid, auth_token) as rest:
            summary = run(base_url, auth_token, account_sid, Options(
                calls=8, rate=200, time_scale=0.0005, wait=Range(5, 60), talk=Range(30, 60), play=Range(10, 20),
                abandon=0.0, seed=4, bridge="self",
            ), rest_server=rest)
            again = run(base_url, auth_token, account_sid, Options(calls=2, rate=200, time_scale=0.0005, wait=Range(1, 2), seed=5), rest_server=rest)

    assert summary.ok and again.ok, (summary.problems, again.problems)
    assert summary.bridged == 8 and summary.redirected == 0 and summary.rest_requests == {}
    # One account, one queue name: one QueueSid, whatever the run's seed.
    with app.app_context():
        queue_sids = set(db.session.scalars(select(Call.queue_sid)))
    assert len(queue_sids) == 1 and re.fullmatch(r"QU[0-9a-f]{32}", queue_sids.pop())
    # With a REST server and no `bridge`, only a REST redirect takes callers: nobody did.
    assert again.bridged == 0 and again.abandoned == 2


def test_redirected_callers_leave_the_hold_music_at_once():
    """Against a stub: an endless hold document, a REST redirect, `<Dial>` without action, a busy counselor."""
    stub = Flask("stub")
    token, account_sid, seen = "stub-token", "AC" + "3" * 32, []
    documents = {
        "voice": '<Response><Enqueue waitUrl="/hold" action="/out">line</Enqueue></Response>',
        "hold": '<Response><Play loop="0">music.mp3</Play></Response>',
        "out": "<Response><Say>ignored</Say></Response>",
        "take": '<Response><Dial timeout="10"><Client>counselor-1</Client></Dial><Redirect>/after</Redirect></Response>',
        # Each caller's own number: a second dial to one being talked to would be busy.
        "after": '<Response><Dial action="/dialled" timeout="5"><Number>+98 912 000 000{n}</Number></Dial></Response>',
        "dialled": "<Response><Hangup/></Response>",
    }

    @stub.post("/<name>")
    def anything(name):
        seen.append((time.monotonic(), name, request.form.to_dict()))
        document = documents.get(name, "").format(n=sum(entry[1] == "after" for entry in seen))
        return Response(status=204) if name == "status" else Response(document, mimetype="text/xml")

    with serving(stub) as base_url, RestServer(account_sid, token) as rest:
        options = Options(calls=2, rate=100, time_scale=0.001, wait=Range(10000, 10000), talk=Range(100, 100),
                          ring=Range(1, 1), counselor_no_answer=0.0, voice_path="/voice", status_path="/status", seed=3)
        result, stop = {}, threading.Event()
        thread = threading.Thread(target=lambda: result.update(summary=run(base_url, token, account_sid, options, rest_server=rest, stop=stop)))
        thread.start()
        try:
            wait_for(lambda: len({params["CallSid"] for _, name, params in seen if name == "hold"}) == 2, "both callers on hold")
            holds = {params["CallSid"]: params["QueueSid"] for _, name, params in seen if name == "hold"}
            client = Client(account_sid, token)
            client.api.base_url = rest.base_url
            taken_at = {}
            for call_sid, queue_sid in holds.items():
                taken_at[call_sid] = time.monotonic()
                client.queues(queue_sid).members(call_sid).update(url=f"{base_url}/take", method="POST")
            client.http_client.session.close()
        except BaseException:
            stop.set()
            raise
        finally:
            thread.join(10)
    summary = result["summary"]

    assert summary.ok, summary.problems
    assert len(set(holds.values())) == 1 and re.fullmatch(r"QU[0-9a-f]{32}", next(iter(holds.values())))
    for call_sid, taken in taken_at.items():
        fetched = [when for when, name, params in seen if name == "take" and params["CallSid"] == call_sid]
        assert len(fetched) == 1 and fetched[0] - taken < 0.5  # not after an hour of emulated music (3.6 s)
        names = [name for _, name, params in seen if params.get("CallSid") == call_sid]
        assert names[-5:] == ["out", "take", "after", "dialled", "status"]
        out = [params for _, name, params in seen if name == "out" and params["CallSid"] == call_sid]
        assert out[0]["QueueResult"] == "redirected"
    # Both dialled counselor-1 at once: the second got busy; the `<Dial>`s without action went on.
    first_dials = sorted(outcome.dial_results[0] for outcome in summary.calls)
    assert first_dials == ["busy", "completed"]
    dialled = [params for _, name, params in seen if name == "dialled"]
    assert {params["DialCallStatus"] for params in dialled} == {"completed"}
    assert all(int(params["DialCallDuration"]) == 100 for params in dialled)
    assert summary.dials_answered == 3 and summary.dials_unanswered == 1 and summary.redirected == 2


def test_an_unanswered_dial_has_no_duration():
    stub = Flask("stub")
    seen = []

    @stub.post("/<name>")
    def anything(name):
        seen.append((name, request.form.to_dict()))
        documents = {
            "voice": '<Response><Dial action="/dialled" timeout="7" callerId="+981480"><Client>c-1</Client></Dial></Response>',
            "dialled": "<Response/>",
        }
        return Response(status=204) if name == "status" else Response(documents[name], mimetype="text/xml")

    with serving(stub) as base_url:
        summary = run(base_url, "token", "AC" + "4" * 32, Options(
            calls=1, time_scale=0.0005, counselor_no_answer=1.0, voice_path="/voice", status_path="/status", seed=1,
        ))

    assert summary.ok, summary.problems
    (dialled,) = [params for name, params in seen if name == "dialled"]
    assert dialled["DialCallStatus"] == "no-answer" and "DialCallDuration" not in dialled
    assert CALL_SID.fullmatch(dialled["DialCallSid"])
    assert summary.calls[0].duration == 7 and summary.dials_unanswered == 1


def test_the_command_starts_the_rest_server(app):
    runner = app.test_cli_runner()
    with serving(app) as base_url:
        arguments = ["emulate", "--base-url", base_url, "--calls", "2", "--rate", "100", "--time-scale", "0.0005", "--seed", "9",
                     "--wait", "1-2", "--rest-listen", "127.0.0.1:0", "--json"]
        result = runner.invoke(args=arguments)
        refused = runner.invoke(args=["emulate", "--base-url", base_url, "--bridge", "rest"])

    assert result.exit_code == 0, result.output
    assert re.search(r"fake REST API at http://127\.0\.0\.1:\d+", result.stderr)
    summary = json.loads(result.stdout)
    assert summary["abandoned"] == 2 and summary["rest_requests"] == {} and summary["redirected"] == 0
    assert refused.exit_code == 2 and "--rest-listen" in refused.output


def test_rest_options_are_checked():
    with pytest.raises(ValueError):
        Options(bridge="counselor")
    with pytest.raises(ValueError):
        Options(rest_listen="localhost")
    with pytest.raises(ValueError):
        Options(counselor_no_answer=2)
    with pytest.raises(ValueError, match="REST server"):
        run("http://127.0.0.1:9", "token", "AC" + "1" * 32, Options(calls=0, bridge="rest"))
