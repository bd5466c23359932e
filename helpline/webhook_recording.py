"""Recording the provider's webhooks: in the database, or on the local spool while it does not
answer (the caller is queued all the same), and the spool brought home once it answers again.

The views (`voice`, `voice_connect`) build a `WebhookEvent` and hand it to `record_or_spool`.
The spool is brought home by each process on its own: a thread of the app's tries while the
spool holds webhooks, with backoff (`SpoolReplayer`), so a caller spooled during an outage
reaches the dashboards within seconds of the database answering, with no further traffic.
Health checks, the `spool replay` command and each recorded webhook replay it too.
"""

import logging
import threading
from collections.abc import Callable

from flask import Flask, current_app, g
from sqlalchemy.exc import DataError, DisconnectionError, IntegrityError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from helpline import background, call_log, clock, live
from helpline.call_log import WebhookEvent
from helpline.db import db, dialect_name
from helpline.in_force.phone_menu import menu_in_force
from helpline.in_force.thresholds import threshold
from helpline.spool import Unrecordable

log = logging.getLogger(__name__)


def record_batch(events: list[WebhookEvent]) -> None:
    # Read before the first write: a failed read rolls the session back.
    repeat_window_days = threshold("repeat_caller_window_days")
    if db.session().in_transaction():
        # End the reader's transaction: the writes take the write lock from their start.
        db.session.commit()
    if len(events) == 1 and dialect_name() == "postgresql":
        # One statement records a webhook on PostgreSQL (`call_log.record`), and the server
        # commits it by itself: no BEGIN and COMMIT round trips around it.
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    queue_changed = False
    for event in events:
        call_log.record(
            event,
            now=clock.now(),
            # The settings were read just above (`threshold`): the menu reads no more.
            emergency_key=menu_in_force().emergency_key,
            repeat_window_days=repeat_window_days,
        )
        # A duplicate pushes too: the provider sends a webhook again when it got no answer, and
        # the push the first delivery asked for may have been lost with that answer (its worker
        # killed after the commit). Pushes coalesce, and duplicates are few.
        queue_changed |= event.kind in call_log.QUEUE_CHANGING_KINDS
    db.session.commit()
    if queue_changed:
        best_effort(live.push_queue, "pushing the queue")


# What the database being down, restarting, unreachable or busy raises: the events are fine
# and are tried again later. Anything else (the database refusing their values, or an error in
# recording them) would fail the same way at every replay.
DATABASE_AWAY = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)


def record_spooled(events: list[WebhookEvent]) -> None:
    """`record_batch` for replaying the spool: unless the database is away, `Unrecordable`, so
    the spool sets the culprit aside and records the others."""
    try:
        record_batch(events)
    except DATABASE_AWAY:
        rollback_quietly()
        raise
    except Exception as error:
        rollback_quietly()
        raise Unrecordable(type(error).__name__) from error


def rollback_quietly() -> None:
    """Roll back after a failure. When the database dropped the connection meanwhile the
    rollback fails too, and that must not turn the caller's TwiML into an error."""
    try:
        db.session.rollback()
    except SQLAlchemyError as error:
        log.warning("rollback failed (%s)", type(error).__name__)


def best_effort(work: Callable[[], None], what: str) -> None:
    """A webhook's side work (presence, pushes to dashboards): never fails the caller's TwiML."""
    try:
        work()
    except Exception as error:
        rollback_quietly()
        log.error("%s failed (%s)", what, type(error).__name__)


def record_or_spool(event: WebhookEvent) -> None:
    spool = current_app.extensions["helpline.spool"]
    try:
        record_batch([event])
    except Exception as error:
        rollback_quietly()
        if isinstance(error, (DataError, IntegrityError)):
            # The database answered, and refused this event: the replay will set it aside.
            log.error("the database refused a %s webhook (%s); spooling it", event.kind, type(error).__name__)
        elif isinstance(error, SQLAlchemyError):
            # Later reads in this request would wait out the same timeout to fail the same way.
            g.database_unavailable = True
            # The exception text holds SQL parameters: name the error, not its contents.
            log.error("database unavailable (%s); spooling %s webhook", type(error).__name__, event.kind)
        else:
            # Whatever went wrong, the caller still gets queued and the webhook is kept.
            log.exception("recording a %s webhook failed; spooling it", event.kind)
        try:
            spool.append(event)
        except OSError:
            log.critical("could not spool a %s webhook for %s", event.kind, event.call_sid)
            return
        replayer(current_app).kick()
        best_effort(live.push_database_status, "pushing the database's status")
        return
    replay_spool(answering=True)


# A spool this large is replayed by the app's replayer thread rather than by the request that
# found it: after a long outage replaying takes far longer than the provider waits for TwiML.
INLINE_REPLAY_BYTES = 64 * 1024


def replay_spool(*, answering: bool = False) -> None:
    """Bring spooled webhooks home. `answering`: called while answering a request (a webhook,
    a health check), which must not wait for a large spool."""
    spool = current_app.extensions["helpline.spool"]
    if not spool.pending():
        return
    if answering and spool.pending_bytes() > INLINE_REPLAY_BYTES:
        replayer(current_app).kick()
        return
    try:
        spool.replay(record_spooled)
    except Exception as error:
        # Replaying is a side task of whichever request came first: it never fails that request.
        rollback_quietly()
        log.error("spool replay failed (%s); will retry", type(error).__name__)
        replayer(current_app).kick()
        return
    if not spool.pending():
        best_effort(live.push_database_status, "pushing the database's status")


# The replayer's first retry comes this soon after a failure, and the wait doubles up to the cap:
# a database that answers again is found within the cap (plus a connection attempt's timeout),
# and one that stays away costs a process a failed connection every few seconds.
REPLAY_RETRY_FIRST_SECONDS = 0.25
REPLAY_RETRY_CAP_SECONDS = 2.0


class SpoolReplayer:
    """Brings the spool home in one of the app's threads: started when a webhook is spooled
    (or when the app starts with webhooks waiting), it replays, and while the spool still holds
    webhooks (the database still away, another process replaying, more spooled meanwhile) tries
    again after a wait that grows on each failure. It ends once the spool is empty."""

    def __init__(self, app: Flask):
        self.app = app
        self.work = background.of(app)
        self._lock = threading.Lock()
        self._running = False
        self._kicked = False

    def kick(self) -> None:
        with self._lock:
            self._kicked = True
            if not self._running:
                self._running = self.work.start("helpline-spool-replay", self._replay_until_empty)

    def _replay_until_empty(self) -> None:
        spool = self.app.extensions["helpline.spool"]
        delay = REPLAY_RETRY_FIRST_SECONDS
        try:
            while not self.work.stopping.is_set():
                with self._lock:
                    self._kicked = False
                if self._replay_once(spool):
                    delay = REPLAY_RETRY_FIRST_SECONDS
                with self._lock:
                    if not self._kicked and not spool.pending():
                        self._running = False
                        return
                if self.work.stopping.wait(delay):
                    return
                delay = min(delay * 2, REPLAY_RETRY_CAP_SECONDS)
        finally:
            with self._lock:
                self._running = False

    def _replay_once(self, spool) -> bool:
        """One attempt; False when the database was away."""
        with self.app.app_context():
            try:
                spool.replay(record_spooled)
            except Exception as error:
                rollback_quietly()
                log.warning("spool replay failed (%s); trying again", type(error).__name__)
                return False
            if not spool.pending():
                best_effort(live.push_database_status, "pushing the database's status")
            return True


def replayer(app: Flask) -> SpoolReplayer:
    return app.extensions["helpline.spool_replayer"]


def init_app(app: Flask) -> None:
    """The app's replayer; started as soon as a process serves the app if the spool already
    holds webhooks (left by a process that stopped during an outage), so they are recorded
    without waiting for traffic."""
    app.extensions["helpline.spool_replayer"] = replayer = SpoolReplayer(app)

    def replay_what_was_left() -> None:
        if app.extensions["helpline.spool"].pending():
            replayer.kick()

    background.of(app).on_serve(replay_what_was_left)
