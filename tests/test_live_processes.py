"""Dashboards over a real WebSocket: against gunicorn, and across two processes through Redis."""

import os
import queue
import time

import pytest
import redis
import requests
import socketio
from twilio.request_validator import RequestValidator

from tests.support.provider import Provider, new_call_sid
from tests.support.requirements import needs
from tests.support.servers import gunicorn_process

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_answers() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        return False


class Dashboard:
    """A logged-in dashboard's socket, on the websocket transport only."""

    def __init__(self, base_url: str, username: str, password: str = "correct horse battery"):
        session = requests.Session()
        assert session.post(f"{base_url}/api/login", json={"username": username, "password": password}).status_code == 200
        self.events: queue.Queue = queue.Queue()
        self.client = socketio.Client(reconnection=False)
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


def queue_a_caller(base_url: str, app, digits: str = "1") -> str:
    call_sid = new_call_sid()
    url = f"{base_url}/twilio/menu?attempt=1&lang=en"
    params = Provider.params(call_sid, Digits=digits, CallStatus="in-progress")
    signature = RequestValidator(app.config["TWILIO_AUTH_TOKEN"]).compute_signature(url, params)
    assert requests.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=5).status_code == 200
    return call_sid


def listed(call_sid):
    return lambda body: call_sid in [entry["call_sid"] for entry in body["calls"]]


def test_a_webhook_reaches_a_dashboard_over_websocket_on_gunicorn(app, auth, tmp_path):
    auth.create()
    with gunicorn_process(app, tmp_path) as (base_url, _):
        dashboard = Dashboard(base_url, "counselor1")
        try:
            dashboard.next_queue(lambda body: body["calls"] == [])
            call_sid = queue_a_caller(base_url, app, "9")
            pushed = dashboard.next_queue(listed(call_sid))
            assert pushed["calls"][0]["priority"] == "emergency"
        finally:
            dashboard.close()


def test_anonymous_sockets_are_refused_on_gunicorn(app, tmp_path):
    with gunicorn_process(app, tmp_path) as (base_url, _):
        client = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(base_url, transports=["websocket"], wait_timeout=5)


@needs(redis_answers(), f"no Redis at {REDIS_URL} (CI starts one)")
def test_two_processes_share_dashboards_through_redis(app, auth, tmp_path):
    auth.create()
    with gunicorn_process(app, tmp_path, REDIS_URL=REDIS_URL) as (first, _):
        with gunicorn_process(app, tmp_path, REDIS_URL=REDIS_URL) as (second, _):
            dashboard = Dashboard(second, "counselor1")
            try:
                dashboard.next_queue(lambda body: True)
                call_sid = queue_a_caller(first, app)
                dashboard.next_queue(listed(call_sid))
            finally:
                dashboard.close()
