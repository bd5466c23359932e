"""Dashboards over a real WebSocket: against gunicorn, and across two processes through Redis."""

import os

import pytest
import redis
import socketio

from tests.support.calls import queue_caller
from tests.support.provider import HttpProvider
from tests.support.requirements import needs
from tests.support.servers import gunicorn_process
from tests.support.sockets import Dashboard, listed

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_answers() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        return False


def test_a_webhook_reaches_a_dashboard_over_websocket_on_gunicorn(app, auth, tmp_path):
    auth.create()
    with gunicorn_process(app, tmp_path) as (base_url, _):
        dashboard = Dashboard(base_url, "counselor1")
        try:
            dashboard.next_queue(lambda body: body["calls"] == [])
            call_sid = queue_caller(HttpProvider(base_url, app.config["TWILIO_AUTH_TOKEN"]), "9")
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
                call_sid = queue_caller(HttpProvider(first, app.config["TWILIO_AUTH_TOKEN"]))
                dashboard.next_queue(listed(call_sid))
            finally:
                dashboard.close()
