"""Socket.IO handlers and pushes, with Flask-SocketIO's test client."""


from sqlalchemy import func, select

from helpline import live, live_handlers
from helpline.db import db
from helpline.models import CallEvent, SocketConnection
from tests.support.calls import give_call, queue_caller
from tests.support.provider import Provider, new_call_sid
from tests.support.sockets import connect, events, received


def test_anonymous_connections_are_refused(app, client):
    socket = connect(app, client)
    assert not socket.is_connected()


def test_connecting_sends_queue_presence_and_me(app, client, auth, provider):
    auth.create()
    auth.login()
    call_sid = queue_caller(provider, "9")
    socket = connect(app, client)
    assert socket.is_connected()
    state = {event["name"]: event["args"][0] for event in received(socket)}
    assert set(state) == {"queue", "presence", "me"}
    assert [entry["call_sid"] for entry in state["queue"]["calls"]] == [call_sid]
    assert state["queue"]["stats"]["emergency_waiting"] == 1
    assert state["me"]["username"] == "counselor1"
    socket.disconnect()


def test_every_queue_change_is_pushed_with_a_growing_version(app, client, auth, provider):
    auth.create()
    auth.login()
    socket = connect(app, client)
    first = events(socket, "queue")[-1]["version"]
    call_sid = queue_caller(provider)
    (pushed,) = events(socket, "queue")
    assert pushed["version"] > first and [e["call_sid"] for e in pushed["calls"]] == [call_sid]
    provider.post("/twilio/queue-result", Provider.params(call_sid, QueueResult="hangup", QueueTime="4"))
    (after,) = events(socket, "queue")
    assert after["version"] > pushed["version"] and after["calls"] == []
    socket.disconnect()


def test_a_webhook_sent_again_pushes_the_change_its_first_delivery_did_not(app, client, auth, provider, monkeypatch):
    auth.create()
    auth.login()
    socket = connect(app, client)
    received(socket)
    params = Provider.params(new_call_sid(), Digits="9")
    # The first delivery is recorded, but its worker dies before the push (and its answer).
    with monkeypatch.context() as lost:
        lost.setattr(live, "push_queue", lambda: None)
        assert provider.post("/twilio/menu?attempt=1&lang=en", params).status_code == 200
    assert events(socket, "queue") == []
    # The provider, without an answer, sends it again: a duplicate, and the change is pushed.
    assert provider.post("/twilio/menu?attempt=1&lang=en", params).status_code == 200
    (pushed,) = events(socket, "queue")
    assert [entry["call_sid"] for entry in pushed["calls"]] == [params["CallSid"]]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CallEvent)) == 1
    socket.disconnect()


def test_presence_changes_reach_everyone(app, client, auth):
    auth.create("counselor1")
    auth.create("supervisor1", "supervisor")
    auth.login("supervisor1")
    supervisor = connect(app, client)
    received(supervisor)
    other = app.test_client()
    other.post("/api/login", json={"username": "counselor1", "password": "correct horse battery"})
    other.put("/api/presence", json={"state": "available"})
    (presence,) = events(supervisor, "presence")
    assert presence["counselors"][0]["state"] == "available"
    supervisor.disconnect()


def test_alerts_go_to_supervisors_only(app, client, auth, provider):
    auth.create("counselor1")
    auth.create("supervisor1", "supervisor")
    auth.login("supervisor1")
    supervisor = connect(app, client)
    counselor_client = app.test_client()
    counselor_client.post("/api/login", json={"username": "counselor1", "password": "correct horse battery"})
    counselor = connect(app, counselor_client)
    call_sid = queue_caller(provider)
    give_call(app, call_sid, "counselor1")
    received(supervisor), received(counselor)
    counselor_client.patch(f"/api/calls/{call_sid}", json={"risk_level": "imminent"})
    (alert,) = events(supervisor, "alert")
    assert alert["kind"] == "high_risk_logged" and alert["call_sid"] == call_sid and "imminent" in alert["message"]
    # The pages word it from its kind and parameters, in each reader's language.
    assert alert["params"] == {"counselor": "counselor1", "risk_level": "imminent"}
    assert events(counselor, "alert") == []
    # The same risk again is no new alert.
    counselor_client.patch(f"/api/calls/{call_sid}", json={"notes": "still imminent"})
    assert events(supervisor, "alert") == []
    supervisor.disconnect(), counselor.disconnect()


def test_what_the_app_asks_is_begun_after_each_dashboard_is_welcomed(app, client, auth):
    begun = []
    live.on_welcome(app, begun.append)
    auth.create("counselor1", "counselor")
    auth.login("counselor1")
    socket = connect(app, client)
    assert begun == [app]
    socket.disconnect()


def test_resync_sends_the_state_again(app, client, auth):
    auth.create()
    auth.login()
    socket = connect(app, client)
    received(socket)
    socket.emit("resync")
    assert {event["name"] for event in received(socket)} == {"queue", "presence", "me"}
    socket.disconnect()


def test_logging_out_disconnects_that_users_sockets(app, client, auth):
    auth.create("counselor1")
    auth.create("counselor2")
    auth.login("counselor1")
    mine = connect(app, client)
    other_client = app.test_client()
    other_client.post("/api/login", json={"username": "counselor2", "password": "correct horse battery"})
    theirs = connect(app, other_client)
    with app.app_context():
        assert db.session.query(SocketConnection).count() == 2
    auth.logout()
    assert not mine.is_connected()
    assert theirs.is_connected()
    with app.app_context():
        assert db.session.query(SocketConnection).count() == 1
    theirs.disconnect()
    with app.app_context():
        assert db.session.query(SocketConnection).count() == 0


def test_a_connection_that_cannot_be_set_up_is_refused_and_asked_to_try_again(app, client, auth, monkeypatch, caplog):
    auth.create()
    auth.login()

    def broken():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(live_handlers, "send_state", broken)
    socket = connect(app, client)
    assert not socket.is_connected()
    assert "a dashboard's connection failed; it is asked to try again" in caplog.text
    monkeypatch.undo()
    again = connect(app, client)
    assert again.is_connected()
    again.disconnect()
