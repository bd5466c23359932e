"""Socket.IO: every handler and every emit of the service lives here.

Threading mode with simple-websocket; with `REDIS_URL` set the server fans out through Redis,
so a webhook handled by one process reaches dashboards connected to another (clients use the
websocket transport only, so no sticky sessions are needed).

Server to client:
    queue       the live queue, the body of `GET /api/queue`: on connect and after every change
    presence    counselors' states, the body of `GET /api/presence`: on connect and after every change
    me          the user's own state, the body of `GET /api/me`: on connect and when it changes
    alert       to supervisors and admins: `{"kind", "call_sid", "message"}`
    logged_out  to a user's sockets when they log out, just before they are closed
Client to server:
    resync      send queue, presence and me again (after a reconnect)

Rooms: `role:<role>` and `user:<id>`. Anonymous connections are refused. Every push is made
by a view after its commit, so what a dashboard sees is in the database.
"""

import logging
import threading
from datetime import timedelta

from flask import current_app, request
from flask_login import current_user
from flask_socketio import SocketIO, join_room
from sqlalchemy import delete, select, update

from helpline import clock
from helpline.db import db
from helpline.models import Call, SocketConnection

log = logging.getLogger(__name__)

socketio = SocketIO()

ALERT_ROOMS = ["role:supervisor", "role:admin"]

_sweepers_started: set[int] = set()
_sweepers_lock = threading.Lock()


def init_app(app) -> None:
    options = {"async_mode": "threading", "message_queue": app.config["REDIS_URL"]}
    if app.config["REDIS_URL"]:
        options["transports"] = ["websocket"]
    socketio.init_app(app, **options)


# Bodies of the events (the same as the API's answers).


def queue_body() -> dict:
    from helpline.call_queue import snapshot

    return snapshot(clock.now(), current_app.config["AGING_STEP_SECONDS"])


def presence_body() -> dict:
    from helpline.presence import counselors_json

    return counselors_json()


def me_body(user_id: int) -> dict:
    from helpline.api import me_json

    return me_json(user_id)


# Handlers.


@socketio.on("connect")
def connect(auth=None):
    if not current_user.is_authenticated:
        raise ConnectionRefusedError("log in first")
    join_room(f"role:{current_user.role}")
    join_room(f"user:{current_user.id}")
    db.session.add(SocketConnection(sid=request.sid, user_id=current_user.id, connected_at=clock.now()))
    db.session.commit()
    send_state()
    start_sweeper(current_app._get_current_object())


@socketio.on("disconnect")
def disconnect_handler(reason=None):
    db.session.execute(delete(SocketConnection).where(SocketConnection.sid == request.sid))
    db.session.commit()


@socketio.on("resync")
def resync():
    if not current_user.is_authenticated:
        return
    send_state()


def send_state() -> None:
    """The three snapshots, to the socket being handled."""
    socketio.emit("queue", queue_body(), to=request.sid)
    socketio.emit("presence", presence_body(), to=request.sid)
    socketio.emit("me", me_body(current_user.id), to=request.sid)


# Pushes, made by views after their commit.


def push_queue() -> None:
    socketio.emit("queue", queue_body())


def push_presence() -> None:
    socketio.emit("presence", presence_body())


def push_me(user_id: int) -> None:
    socketio.emit("me", me_body(user_id), to=f"user:{user_id}")


def push_alert(kind: str, call_sid: str, message: str) -> None:
    socketio.emit("alert", {"kind": kind, "call_sid": call_sid, "message": message}, to=ALERT_ROOMS)


def connections_of(user_id: int) -> list[str]:
    """Forget a user's sockets in the database (the caller commits); their sids."""
    sids = list(db.session.scalars(select(SocketConnection.sid).where(SocketConnection.user_id == user_id)))
    db.session.execute(delete(SocketConnection).where(SocketConnection.user_id == user_id))
    return sids


def disconnect(sids: list[str], user_id: int) -> None:
    """Close these sockets, whichever process holds them (through the message queue)."""
    socketio.emit("logged_out", {}, to=f"user:{user_id}")
    for sid in sids:
        socketio.server.disconnect(sid, namespace="/")


# Danger-now callers waiting too long: a sweep in each process that serves dashboards.


def alert_long_waits(now) -> list[str]:
    """Alert supervisors once about each danger-now caller waiting past the threshold."""
    from helpline.call_queue import waiting_calls

    threshold = now - timedelta(seconds=current_app.config["DANGER_WAIT_ALERT_SECONDS"])
    alerted = []
    for call in waiting_calls():
        if not call.emergency or call.alerted_at is not None or call.enqueued_at > threshold:
            continue
        # Several processes sweep: the conditional update lets exactly one of them alert.
        claimed = db.session.execute(
            update(Call).where(Call.call_sid == call.call_sid, Call.alerted_at.is_(None)).values(alerted_at=now)
        ).rowcount
        db.session.commit()
        if claimed:
            waited = int((now - call.enqueued_at).total_seconds())
            push_alert("danger_now_waiting", call.call_sid, f"A caller in danger now has waited {waited} s")
            alerted.append(call.call_sid)
    return alerted


def start_sweeper(app) -> None:
    with _sweepers_lock:
        if id(app) in _sweepers_started or app.config["TESTING"]:
            return
        _sweepers_started.add(id(app))
    socketio.start_background_task(_sweep_forever, app)


def _sweep_forever(app) -> None:
    while True:
        socketio.sleep(app.config["DANGER_WAIT_SWEEP_SECONDS"])
        with app.app_context():
            try:
                alert_long_waits(clock.now())
            except Exception:
                db.session.rollback()
                log.exception("the danger-now waiting sweep failed")
