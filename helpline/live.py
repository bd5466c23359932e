"""Socket.IO: the server, its rooms and the service's pushes (the handlers, and the snapshots they
send a dashboard as it connects, are `live_handlers`').

Threading mode with simple-websocket; with `REDIS_URL` set the server fans out through Redis,
so a webhook handled by one process reaches dashboards connected to another (clients use the
websocket transport only, so no sticky sessions are needed). A push never waits long on Redis;
what is published while Redis is away is lost, so once it answers again every process sends
fresh snapshots to every dashboard (`live_redis.ResyncingRedisManager`).

Server to client:
    queue       the live queue, the body of `GET /api/queue`: on connect and after every change
    presence    counselors' states, the body of `GET /api/presence`: on connect and after every change
    me          the user's own state, the body of `GET /api/me`: on connect and when it changes
    alert       to supervisors and admins: `{"kind", "call_sid", "message", "params"}` (pages word
                it from kind and params in their language; message is English)
    wallboard   to supervisors and admins, the body of `GET /api/wallboard` (the queue's figures,
                counselors by state, today's offered/answered/abandoned and service level): on
                connect, on resync, and once after each request that pushed the queue or presence
    logged_out  to a user's sockets when their sessions end (logging out, deactivation, a new
                password set by an administrator), just before they are closed
    database    to everyone, while webhooks are being spooled and once they are all recorded:
                `{"reachable": bool, "since": ISO time or null, "waiting_webhooks": int}`; since
                is when the earliest webhook waiting was spooled (sent on connect too, when the
                spool holds webhooks). Built from the spool alone: it needs no database.
Client to server:
    resync      send queue, presence and me again (after a reconnect), and the wallboard to
                supervisors and admins

Rooms: `role:<role>` and `user:<id>`. Anonymous connections are refused. Every push is made
by a view after its commit, so what a dashboard sees is in the database. The queue and the
wallboard are built by one thread at a time in each process: changes that come while one is
being built are sent together in the next (`CoalescedPush`), so a burst of calls costs a few
snapshots rather than one per webhook. Each queue snapshot pushed counts the queue's version
first (`count_queue_version`, committed on its own), so versions grow with what is pushed.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, g, has_request_context
from flask_socketio import SocketIO
from sqlalchemy import delete, select

from helpline import background, metrics
from helpline.coalesced_push import CoalescedPush
from helpline.db import db
from helpline.live_redis import ResyncingRedisManager
from helpline.models import SUPERVISING_ROLES, SocketConnection, User

log = logging.getLogger(__name__)


class CountedSocketIO(SocketIO):
    """Counts every event this process emits, by name, for `GET /metrics`."""

    def emit(self, event, *args, **kwargs):
        metrics.pushes.labels(event).inc()
        return super().emit(event, *args, **kwargs)


socketio = CountedSocketIO()

# Alerts and the wallboard go to those who oversee the line.
SUPERVISOR_ROOMS = [f"role:{role}" for role in SUPERVISING_ROLES]



@dataclass(frozen=True)
class Pushes:
    """An app's coalesced pushes (its threads are the app's, `helpline.background`)."""

    queue: CoalescedPush
    wallboard: CoalescedPush
    database: CoalescedPush


# Dashboards follow a burst of changes within a few hundredths of a second; the wall's figures
# (a summary of today's calls, which costs tens of milliseconds on a busy day) within a second,
# rebuilt at most twice a second.
QUEUE_PUSH_SPACING = 0.02
WALLBOARD_PUSH_SPACING = 0.5
# While the database is away, the count of webhooks waiting is sent at most once a second.
DATABASE_STATUS_SPACING = 1.0


@dataclass(frozen=True)
class Bodies:
    """What the events carry, given by the app (`create_app`): this module sends them and knows
    nothing of the features they describe."""

    queue: Callable[[int | None], dict]
    count_queue_version: Callable[[], int]
    presence: Callable[[], dict]
    me: Callable[[int], dict]
    wallboard: Callable[[], dict]


def init_app(app, bodies: Bodies) -> None:
    app.extensions["helpline.bodies"] = bodies
    app.extensions["helpline.welcomed"] = []
    work = background.of(app)
    app.extensions["helpline.pushes"] = Pushes(
        queue=CoalescedPush(emit_queue, QUEUE_PUSH_SPACING, work, "helpline-queue-push"),
        wallboard=CoalescedPush(push_wallboard, WALLBOARD_PUSH_SPACING, work, "helpline-wallboard-push"),
        database=CoalescedPush(emit_database_status, DATABASE_STATUS_SPACING, work, "helpline-status-push"),
    )
    options = {"async_mode": "threading"}
    if app.config["REDIS_URL"]:
        options["transports"] = ["websocket"]
        options["client_manager"] = ResyncingRedisManager(
            app.config["REDIS_URL"],
            app.config["SOCKETIO_CHANNEL"],
            resync=lambda: socketio.start_background_task(resync_dashboards, app),
        )
    socketio.init_app(app, **options)
    app.teardown_request(push_wallboard_if_due)


def on_welcome(app, begin: Callable[[object], None]) -> None:
    """`begin(app)` is called after each dashboard of the app is welcomed (its snapshots sent)."""
    app.extensions["helpline.welcomed"].append(begin)


def bodies() -> Bodies:
    return current_app.extensions["helpline.bodies"]


def resync_dashboards(app) -> None:
    """Fresh snapshots to every dashboard, in every process: after Redis was away."""
    with app.app_context():
        try:
            socketio.emit("queue", queue_body())
            socketio.emit("presence", presence_body())
            push_wallboard()
        except Exception as failure:
            db.session.rollback()
            log.error("resyncing the dashboards failed (%s)", type(failure).__name__)


# Bodies of the events (the same as the API's answers).


def queue_body(counted_version: int | None = None) -> dict:
    return bodies().queue(counted_version)


def presence_body() -> dict:
    return bodies().presence()


def me_body(user_id: int) -> dict:
    return bodies().me(user_id)


def database_status_body() -> dict:
    """What waits in this host's spool: webhooks spooled because the database did not answer."""
    backlog = current_app.extensions["helpline.spool"].backlog()
    return {
        "reachable": backlog.webhooks == 0,
        "since": backlog.since.isoformat() if backlog.since else None,
        "waiting_webhooks": backlog.webhooks,
    }


def wallboard_body() -> dict:
    return bodies().wallboard()


# Pushes, made by views after their commit.


def pushes(app=None) -> Pushes:
    return (app or current_app).extensions["helpline.pushes"]


def settle_pushes(app, timeout: float = 5.0) -> bool:
    """Wait until the app's pushes are made (a test reading what was pushed, a process stopping)."""
    return all(push.settle(timeout) for push in (pushes(app).queue, pushes(app).wallboard, pushes(app).database))


def push_queue() -> None:
    pushes().queue.request()
    wallboard_changed()


def emit_queue() -> None:
    socketio.emit("queue", queue_body(count_queue_version()))


def count_queue_version() -> int:
    """A new version for the snapshot about to be pushed, counted after the changes it shows
    have committed and before it is read: the snapshot with the highest version, from any
    process, shows every change pushed before it. Counted inside each webhook's transaction
    instead, the counter's row stayed locked until that commit, and under load every other
    webhook queued behind it; counted here, a burst of changes costs one count per push."""
    version = bodies().count_queue_version()
    db.session.commit()
    return version


def push_database_status() -> None:
    """Whether webhooks wait in the spool: after one is spooled, and once all are recorded."""
    pushes().database.request()


def emit_database_status() -> None:
    socketio.emit("database", database_status_body())


def push_presence() -> None:
    socketio.emit("presence", presence_body())
    wallboard_changed()


def push_me(user_id: int) -> None:
    socketio.emit("me", me_body(user_id), to=f"user:{user_id}")


def push_alert(kind: str, call_sid: str, message: str, **params) -> None:
    """An alert to supervisors and admins: its kind and parameters, which their pages word in
    the reader's language (`helpline.words.ALERT_MESSAGES`), and an English `message` for other
    clients."""
    socketio.emit("alert", {"kind": kind, "call_sid": call_sid, "message": message, "params": params}, to=SUPERVISOR_ROOMS)


# The wallboard: once per change. A view that changes the queue and presence pushes both (and
# a webhook may push the queue, then presence after a second commit); the wallboard sums up
# both, so within a request it is pushed once, at the end, with everything committed by then.


def wallboard_changed() -> None:
    if has_request_context():
        g.wallboard_due = True
    else:
        pushes().wallboard.request()


def push_wallboard_if_due(error: BaseException | None = None) -> None:
    """At the end of each request (and socket event): the wallboard, if the request pushed the
    queue or presence. Never fails the request: its response is made already."""
    if not g.pop("wallboard_due", False) or error is not None:
        # After an unhandled error the session may be unusable; the next change pushes again.
        return
    try:
        pushes().wallboard.request()
    except Exception as failure:
        db.session.rollback()
        log.error("pushing the wallboard failed (%s)", type(failure).__name__)


def push_wallboard() -> None:
    # Today's figures cost a query over the day's calls: only when someone may be watching.
    if wallboard_watched():
        socketio.emit("wallboard", wallboard_body(), to=SUPERVISOR_ROOMS)


def wallboard_watched() -> bool:
    """Whether a supervisor or admin has a socket open, in any process."""
    watching = (
        select(SocketConnection.sid)
        .join(User, User.id == SocketConnection.user_id)
        .where(User.role.in_(SUPERVISING_ROLES))
        .limit(1)
    )
    return db.session.scalar(watching) is not None


def connections_of(user_id: int) -> list[str]:
    """Forget a user's sockets in the database (the caller commits); their sids."""
    sids = list(db.session.scalars(select(SocketConnection.sid).where(SocketConnection.user_id == user_id)))
    db.session.execute(delete(SocketConnection).where(SocketConnection.user_id == user_id))
    return sids


def disconnect(sids: list[str], user_id: int, *, logged_out: bool = True) -> None:
    """Close these sockets, whichever process holds them (through the message queue); with
    `logged_out`, the user's pages are told first, and go to the login."""
    if logged_out:
        socketio.emit("logged_out", {}, to=f"user:{user_id}")
    for sid in sids:
        socketio.server.disconnect(sid, namespace="/")
