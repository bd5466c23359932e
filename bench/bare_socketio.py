"""The reference for the push benchmark: a bare python-socketio server in threading mode (as
the service runs it), whose one HTTP endpoint emits a fixed queue-shaped body to every client,
under the same gunicorn settings; through Redis when `REDIS_URL` is set.

    gunicorn -c config/gunicorn.conf.py bench.bare_socketio:app

`POST /emit` with a form field `token` emits `queue` with the token in it, so a client can tell
which request its event answers.
"""

import os

import socketio
from flask import Flask, request

QUEUE_LENGTH = int(os.environ.get("BARE_QUEUE_LENGTH", "10"))
ENTRY = {
    "category": "psychological",
    "priority": "normal",
    "priority_reasons": [],
    "emergency": False,
    "enqueued_at": "2026-01-01T10:00:00+00:00",
    "waiting_seconds": 30,
    "repeat_caller": False,
    "language": "en",
    "caller": "+98********67",
}

if os.environ.get("REDIS_URL"):
    manager = socketio.RedisManager(os.environ["REDIS_URL"], channel=os.environ.get("SOCKETIO_CHANNEL", "socketio"))
    server = socketio.Server(async_mode="threading", client_manager=manager, transports=["websocket"])
else:
    server = socketio.Server(async_mode="threading")

http = Flask(__name__)
emitted = 0


@http.post("/emit")
def emit():
    global emitted
    emitted += 1
    token = request.form.get("token", "")
    calls = [{"call_sid": f"CA{token:0>32}"[:34], **ENTRY}] + [{"call_sid": "CA" + "0" * 32, **ENTRY}] * (QUEUE_LENGTH - 1)
    server.emit("queue", {"version": emitted, "calls": calls, "token": token})
    return "", 204


@http.get("/healthz")
def healthz():
    return {"status": "ok"}


app = socketio.WSGIApp(server, http)
