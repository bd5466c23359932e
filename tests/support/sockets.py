"""Dashboards' sockets: Flask-SocketIO's test client on the app, and a real Socket.IO client over
a WebSocket to a served one."""

import queue
import time

import requests
import socketio as socketio_client

from helpline import live
from helpline.live import socketio
from tests.support.users import PASSWORD


def connect(app, client):
    """A socket with the session of `client` (logged in or not)."""
    return socketio.test_client(app, flask_test_client=client)


def received(socket) -> list[dict]:
    """What a test client's socket got, once the pushes (made after the requests answered,
    in the background) are done."""
    assert live.settle_pushes(socket.app)
    return socket.get_received()


def events(socket, name: str) -> list:
    """The bodies of the events of one name the socket got."""
    return [event["args"][0] for event in received(socket) if event["name"] == name]


class Dashboard:
    """A logged-in dashboard's socket, on the websocket transport only."""

    def __init__(self, base_url: str, username: str, password: str = PASSWORD):
        session = requests.Session()
        assert session.post(f"{base_url}/api/login", json={"username": username, "password": password}).status_code == 200
        self.events: queue.Queue = queue.Queue()
        self.client = socketio_client.Client(reconnection=False)
        for name in ("queue", "presence", "me", "alert"):
            self.client.on(name, lambda body, name=name: self.events.put((name, body)))
        cookie = "; ".join(f"{key}={value}" for key, value in session.cookies.items())
        self.client.connect(base_url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=10)

    def next_queue(self, predicate, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                name, body = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if name == "queue" and predicate(body):
                return body
        raise AssertionError("no matching queue snapshot arrived")

    def close(self) -> None:
        self.client.disconnect()


def listed(call_sid: str):
    """A test of a queue snapshot: is this caller in it?"""
    return lambda body: call_sid in [entry["call_sid"] for entry in body["calls"]]
