"""Recording the provider's webhooks: in the database, or on the local spool while it does not
answer (the caller is queued all the same), and the spool brought home once it answers again.

The views (`voice`, `voice_connect`) build a `WebhookEvent` and hand it to `record_or_spool`;
health checks, the `spool replay` command and each recorded webhook replay the spool.
"""

import logging
import threading
from collections.abc import Callable

from flask import current_app, g
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from helpline import call_log, clock, live
from helpline.admin.menu_overrides import menu_in_force
from helpline.admin.saved_settings import threshold
from helpline.call_log import WebhookEvent
from helpline.db import db, dialect_name
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


def record_spooled(events: list[WebhookEvent]) -> None:
    """`record_batch` for replaying the spool: when the database refuses the events themselves
    (their values, not its being down), `Unrecordable`, so the spool sets the culprit aside."""
    try:
        record_batch(events)
    except (DataError, IntegrityError) as error:
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
    replay_spool(answering=True)


# A spool this large is replayed in a thread of its own rather than by the webhook that found
# it: after a long outage replaying takes far longer than the provider waits for TwiML.
INLINE_REPLAY_BYTES = 64 * 1024
_background_replay = threading.Lock()


def replay_spool(*, answering: bool = False) -> None:
    """Bring spooled webhooks home. `answering`: called while answering a request (a webhook,
    a health check), which must not wait for a large spool."""
    spool = current_app.extensions["helpline.spool"]
    if not spool.pending():
        return
    if answering and spool.pending_bytes() > INLINE_REPLAY_BYTES:
        if _background_replay.acquire(blocking=False):
            threading.Thread(target=_replay_in_background, args=(current_app._get_current_object(),), daemon=True).start()
        return
    try:
        spool.replay(record_spooled)
    except Exception as error:
        # Replaying is a side task of whichever request came first: it never fails that request.
        rollback_quietly()
        log.error("spool replay failed (%s); will retry", type(error).__name__)


def _replay_in_background(app) -> None:
    try:
        with app.app_context():
            replay_spool()
    finally:
        _background_replay.release()


