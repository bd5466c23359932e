"""The Socket.IO handlers: a dashboard connecting (refused without a live session), leaving, and
asking for its snapshots again. The events they send are `live`'s."""

import logging

from flask import current_app, request
from flask_login import current_user
from flask_socketio import join_room
from sqlalchemy import delete

from helpline import clock, session_lifetime
from helpline.db import db
from helpline.live import database_status_body, me_body, presence_body, queue_body, socketio, wallboard_body
from helpline.models import SUPERVISING_ROLES, SocketConnection

log = logging.getLogger(__name__)


# What a dashboard is told when its connection could not be set up (the database did not answer,
# say): it tries again shortly, instead of waiting for an answer that never comes.
TRY_AGAIN = "try again"


@socketio.on("connect")
def connect(auth=None):
    try:
        if not current_user.is_authenticated or session_lifetime.current_session_is_over():
            raise ConnectionRefusedError("log in first")
        welcome()
    except ConnectionRefusedError:
        raise
    except Exception:
        # Unanswered, the client would wait for the connection's acknowledgement for ever.
        db.session.rollback()
        log.exception("a dashboard's connection failed; it is asked to try again")
        raise ConnectionRefusedError(TRY_AGAIN) from None


def welcome() -> None:
    """A dashboard connected: its rooms, its row in the table of sockets, its snapshots."""
    join_room(f"role:{current_user.role}")
    join_room(f"user:{current_user.id}")
    db.session.add(SocketConnection(sid=request.sid, user_id=current_user.id, connected_at=clock.now()))
    db.session.commit()
    send_state()
    app = current_app._get_current_object()
    for begin in app.extensions["helpline.welcomed"]:
        begin(app)


@socketio.on("disconnect")
def disconnect_handler(reason=None):
    db.session.execute(delete(SocketConnection).where(SocketConnection.sid == request.sid))
    db.session.commit()


@socketio.on("resync")
def resync():
    if not current_user.is_authenticated or session_lifetime.current_session_is_over():
        return
    send_state()


def send_state() -> None:
    """The snapshots, to the socket being handled: queue, presence and me, and the wallboard
    for those who may see it."""
    socketio.emit("queue", queue_body(), to=request.sid)
    socketio.emit("presence", presence_body(), to=request.sid)
    socketio.emit("me", me_body(current_user.id), to=request.sid)
    if current_user.role in SUPERVISING_ROLES:
        socketio.emit("wallboard", wallboard_body(), to=request.sid)
    status = database_status_body()
    if not status["reachable"]:
        socketio.emit("database", status, to=request.sid)
