"""The `wallboard` socket event, with Flask-SocketIO's test client: to supervisors and admins
only, on connect, on resync and once after each change of the queue, presence or a call's log;
and the saved settings that live.py now reads."""

from datetime import timedelta

import pytest

from helpline import clock
from helpline.danger_sweep import alert_long_waits
from helpline.db import db
from helpline.in_force import thresholds
from helpline.live import pushes, wallboard_watched
from helpline.models import User
from tests.support.calls import give_call, queue_caller
from tests.support.provider import Provider
from tests.support.sockets import connect, events, received

PASSWORD = "correct horse battery"
COMPLETE_LOG = {"call_type": "about_self", "categories": ["anxiety"], "risk_level": "low", "outcome": "counselled"}


def logged_in(app, auth, username: str, role: str):
    auth.create(username, role)
    client = app.test_client()
    assert client.post("/api/login", json={"username": username, "password": PASSWORD}).status_code == 200
    return client


@pytest.fixture
def watchers(app, auth):
    """A supervisor's and a counselor's sockets, and the counselor's client, read up to now."""
    supervisor = connect(app, logged_in(app, auth, "supervisor1", "supervisor"))
    counselor_client = logged_in(app, auth, "counselor1", "counselor")
    counselor = connect(app, counselor_client)
    received(supervisor), received(counselor)
    yield supervisor, counselor, counselor_client
    supervisor.disconnect(), counselor.disconnect()


def test_supervisors_and_admins_receive_it_on_connect(app, auth):
    for role in ("supervisor", "admin"):
        socket = connect(app, logged_in(app, auth, f"{role}1", role))
        state = {event["name"]: event["args"][0] for event in received(socket)}
        assert set(state) == {"queue", "presence", "me", "wallboard"}
        assert state["wallboard"]["queue"] == {"waiting": 0, "longest_wait_seconds": 0, "emergency_waiting": 0}
        assert set(state["wallboard"]) == {"version", "queue", "counselors", "today", "server_time"}
        socket.disconnect()


def test_counselors_never_receive_it(app, auth, provider, watchers):
    supervisor, counselor, counselor_client = watchers
    queue_caller(provider, "9")
    assert pushes(app).wallboard.settle()
    counselor_client.put("/api/presence", json={"state": "available"})
    counselor.emit("resync")
    assert {event["name"] for event in received(counselor)} == {"queue", "presence", "me"}
    assert len(events(supervisor, "wallboard")) == 2


def test_a_queued_caller_is_pushed_once(watchers, provider):
    supervisor, _, _ = watchers
    queue_caller(provider, "9")
    got = received(supervisor)
    (wallboard,) = [event["args"][0] for event in got if event["name"] == "wallboard"]
    assert wallboard["queue"]["waiting"] == 1 and wallboard["queue"]["emergency_waiting"] == 1
    assert wallboard["today"]["offered"] == 1
    # The queue is pushed too, by a thread of its own: the two may arrive in either order.
    assert [event["name"] for event in got].count("queue") == 1


def test_a_presence_change_is_pushed_once(watchers):
    supervisor, _, counselor_client = watchers
    # The view pushes presence, the user's own state and the queue's counts: one wallboard.
    counselor_client.put("/api/presence", json={"state": "available"})
    (wallboard,) = events(supervisor, "wallboard")
    assert wallboard["counselors"]["available"] == 1 and wallboard["counselors"]["offline"] == 0


def test_a_refused_change_pushes_nothing(watchers):
    supervisor, _, counselor_client = watchers
    assert counselor_client.put("/api/presence", json={"state": "asleep"}).status_code == 400
    assert events(supervisor, "wallboard") == []


def test_the_end_of_a_call_and_its_log_are_pushed_once_each(app, watchers, provider):
    supervisor, _, counselor_client = watchers
    call_sid = queue_caller(provider)
    give_call(app, call_sid, "counselor1")
    received(supervisor)

    # The status webhook pushes the queue, then presence after a second commit: one wallboard,
    # with both changes in it.
    provider.post("/twilio/status", Provider.params(call_sid, CallStatus="completed", CallDuration="95", SequenceNumber="3"))
    (ended,) = events(supervisor, "wallboard")
    assert ended["counselors"]["wrap_up"] == 1 and ended["counselors"]["on_call"] == 0

    counselor_client.patch(f"/api/calls/{call_sid}", json=COMPLETE_LOG)
    (logged,) = events(supervisor, "wallboard")
    assert logged["counselors"]["available"] == 1 and logged["counselors"]["wrap_up"] == 0
    assert logged["version"] > ended["version"]


def test_a_draft_of_the_log_is_pushed_too(app, watchers, provider):
    supervisor, _, counselor_client = watchers
    call_sid = queue_caller(provider)
    give_call(app, call_sid, "counselor1")
    received(supervisor)
    counselor_client.patch(f"/api/calls/{call_sid}", json={"notes": "first words"})
    assert len(events(supervisor, "wallboard")) == 1


def test_resync_from_a_supervisor_sends_it_again(watchers):
    supervisor, _, _ = watchers
    supervisor.emit("resync")
    assert {event["name"] for event in received(supervisor)} == {"queue", "presence", "me", "wallboard"}


def test_nothing_is_computed_while_no_supervisor_watches(app, auth):
    client = logged_in(app, auth, "counselor1", "counselor")
    counselor = connect(app, client)
    with app.app_context():
        assert not wallboard_watched()
    supervisor = connect(app, logged_in(app, auth, "supervisor1", "supervisor"))
    with app.app_context():
        assert wallboard_watched()
    supervisor.disconnect(), counselor.disconnect()
    with app.app_context():
        assert not wallboard_watched()


def save(app, key: str, value) -> None:
    with app.app_context():
        thresholds.put(key, value, db.session.scalar(db.select(User.id)))
        db.session.commit()


def test_the_queue_ages_callers_by_the_saved_step(app, auth, provider, monkeypatch):
    socket = connect(app, logged_in(app, auth, "supervisor1", "supervisor"))
    queue_caller(provider, "1")
    later = clock.now() + timedelta(seconds=15)
    monkeypatch.setattr(clock, "now", lambda: later)
    received(socket)
    socket.emit("resync")
    (entry,) = events(socket, "queue")[0]["calls"]
    assert entry["priority"] == "normal"  # the default step is 120 s
    save(app, "aging_step_seconds", 10)
    socket.emit("resync")
    (entry,) = events(socket, "queue")[0]["calls"]
    assert entry["priority"] == "elevated" and "waiting_long" in entry["priority_reasons"]
    socket.disconnect()


def test_danger_now_alerts_use_the_saved_threshold(app, auth, provider):
    socket = connect(app, logged_in(app, auth, "supervisor1", "supervisor"))
    danger = queue_caller(provider, "9")
    save(app, "danger_wait_alert_seconds", 600)
    with app.app_context():
        assert alert_long_waits(clock.now() + timedelta(seconds=app.config["DANGER_WAIT_ALERT_SECONDS"] + 1)) == []
        assert alert_long_waits(clock.now() + timedelta(seconds=601)) == [danger]
    socket.disconnect()
