"""Counselors taking callers, end to end: the service over HTTP, the emulator playing the
provider (webhooks and its REST API), and the counselor's JSON API."""

import threading

import pytest
from sqlalchemy import select

from helpline.db import db
from helpline.emulator import KeyMix, Range
from helpline.models import Call, CallEvent, User
from tests.support.servers import emulating, serving, wait_for

# What the dashboard's script sends with a change that has no JSON body (helpline.request_checks).
SCRIPT = {"X-Requested-With": "XMLHttpRequest"}

# Callers who wait long (patience far beyond the test), talks of a fraction of a second.
PATIENT = {
    "rate": 100, "time_scale": 0.005, "wait": Range(4000, 4000), "talk": Range(40, 60), "play": Range(20, 30), "ring": Range(1, 2),
    "counselor_no_answer": 0.0, "key_mix": KeyMix.parse("1=1"), "seed": 11,
}


@pytest.fixture
def service(app):
    """The app on a loopback port, with the emulator calling it and answering its REST calls."""

    def start(calls: int = 1, **options):
        server = serving(app)
        base_url = server.__enter__()
        app.config["PUBLIC_BASE_URL"] = base_url
        emulator = emulating(base_url, app.config["TWILIO_ACCOUNT_SID"], app.config["TWILIO_AUTH_TOKEN"], PATIENT, calls=calls, **options)
        outcome, rest_base = emulator.__enter__()
        app.config["TWILIO_API_BASE_URL"] = rest_base
        opened.extend([emulator, server])
        return outcome

    opened = []
    yield start
    for context in opened:
        context.__exit__(None, None, None)


def counselor(app, auth, username="counselor1"):
    auth.create(username)
    client = app.test_client()
    assert client.post("/api/login", json={"username": username, "password": "correct horse battery"}).status_code == 200
    assert client.put("/api/presence", json={"state": "available"}).status_code == 200
    return client


def waiting(app, count):
    def query():
        with app.app_context():
            sids = db.session.scalars(
                select(Call.call_sid).where(Call.queue_sid.isnot(None), Call.queue_result.is_(None), Call.counselor_id.is_(None))
            ).all()
            db.session.remove()
        return sids if len(sids) >= count else None

    return wait_for(query, f"{count} callers waiting")


def record(app, call_sid) -> Call:
    with app.app_context():
        call = db.session.get(Call, call_sid)
        db.session.expunge_all()
        return call


def presence(app, username):
    with app.app_context():
        return db.session.scalar(select(User.presence).where(User.username == username))


def test_a_counselor_takes_the_next_caller_talks_and_logs(app, auth, service):
    service(calls=1)
    client = counselor(app, auth)
    (call_sid,) = waiting(app, 1)
    taken = client.post("/api/queue/take", headers=SCRIPT)
    assert taken.status_code == 200 and taken.json["call_sid"] == call_sid and taken.json["counselor"] == "counselor1"
    assert client.get("/api/queue").json["calls"] == []
    # The emulator is redirected, dials the counselor, talks, hangs up.
    ended = wait_for(lambda: record(app, call_sid).ended_at and record(app, call_sid), "the call to end")
    assert ended.queue_result == "redirected" and not ended.abandoned
    assert ended.answered_at is not None and ended.talk_seconds >= 40
    with app.app_context():
        kinds = {event.kind for event in db.session.scalars(select(CallEvent).where(CallEvent.call_sid == call_sid))}
    assert {"connect", "dial_result", "queue_result", "status"} <= kinds
    wait_for(lambda: presence(app, "counselor1") == "wrap_up", "wrap-up")
    log = {"call_type": "about_self", "categories": ["anxiety"], "risk_level": "none", "outcome": "counselled"}
    assert client.patch(f"/api/calls/{call_sid}", json=log).json["log_complete"] is True
    assert presence(app, "counselor1") == "available"


def test_two_counselors_taking_one_caller_at_once_one_wins(app, auth, service):
    service(calls=1)
    first, second = counselor(app, auth, "counselor1"), counselor(app, auth, "counselor2")
    (call_sid,) = waiting(app, 1)
    barrier, statuses = threading.Barrier(2), {}

    def take(name, client):
        barrier.wait()
        statuses[name] = client.post(f"/api/calls/{call_sid}/take", headers=SCRIPT).status_code

    threads = [threading.Thread(target=take, args=item) for item in (("first", first), ("second", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses.values()) == [200, 409]
    winner = "counselor1" if statuses["first"] == 200 else "counselor2"
    loser = "counselor2" if winner == "counselor1" else "counselor1"
    assert presence(app, winner) == "on_call" and presence(app, loser) == "available"
    with app.app_context():
        assert db.session.get(Call, call_sid).counselor_id == db.session.scalar(select(User.id).where(User.username == winner))


def test_a_chosen_caller(app, auth, service):
    service(calls=3)
    client = counselor(app, auth)
    sids = waiting(app, 3)
    chosen = sids[-1]
    assert client.post(f"/api/calls/{chosen}/take", headers=SCRIPT).json["call_sid"] == chosen
    remaining = [entry["call_sid"] for entry in client.get("/api/queue").json["calls"]]
    assert chosen not in remaining and len(remaining) == 2


def test_a_counselor_who_does_not_answer_sends_the_caller_back(app, auth, service):
    service(calls=1, counselor_no_answer=1.0)
    client = counselor(app, auth)
    (call_sid,) = waiting(app, 1)
    assert client.post("/api/queue/take", headers=SCRIPT).status_code == 200
    back = wait_for(lambda: client.get("/api/queue").json["calls"], "the caller back in the queue")
    assert back[0]["call_sid"] == call_sid
    assert presence(app, "counselor1") == "break"
    assert record(app, call_sid).counselor_id is None


def test_when_the_provider_fails_the_caller_stays_queued(app, auth, provider):
    app.config["TWILIO_API_BASE_URL"] = "http://127.0.0.1:9"  # nothing listens there
    client = counselor(app, auth)
    from tests.support.calls import queue_caller

    call_sid = queue_caller(provider)
    response = client.post("/api/queue/take", headers=SCRIPT)
    assert response.status_code == 502 and "still in the queue" in response.json["error"]
    assert [entry["call_sid"] for entry in client.get("/api/queue").json["calls"]] == [call_sid]
    assert presence(app, "counselor1") == "available"


def test_taking_needs_an_available_counselor_and_a_waiting_caller(app, auth, client, provider):
    auth.create("counselor1")
    auth.login("counselor1")
    refused = client.post("/api/queue/take", headers=SCRIPT)
    assert refused.status_code == 409 and refused.json["error"] == "you are offline: set yourself available to take callers"
    client.put("/api/presence", json={"state": "available"})
    empty = client.post("/api/queue/take", headers=SCRIPT)
    assert empty.status_code == 409 and empty.json["error"] == "no caller is waiting"
    assert client.post(f"/api/calls/{'CA' + '0' * 32}/take", headers=SCRIPT).status_code == 404
    auth.create("supervisor1", "supervisor")
    auth.login("supervisor1")
    assert client.post("/api/queue/take", headers=SCRIPT).status_code == 403
    auth.logout()
    assert client.post("/api/queue/take", headers=SCRIPT).status_code == 401


def test_a_refused_take_is_told_in_the_counselors_language(auth, client):
    auth.create("counselor1", language="tg")
    auth.login("counselor1")
    refused = client.post("/api/queue/take", headers=SCRIPT)
    assert refused.status_code == 409
    assert refused.json["error"] == "Ҳолати шумо «берун аз хат» аст: барои гирифтани зангзананда худро дастрас кунед"
