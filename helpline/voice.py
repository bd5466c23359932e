"""The provider's webhooks: a call's life from greeting to hang-up.

    /twilio/voice         greeting and menu (the number's "a call comes in" URL)
    /twilio/menu          the key pressed; a wrong key asks once more
    /twilio/enqueue       silence after the menu
    /twilio/wait          what a waiting caller hears: position, expected wait, music
    /twilio/queue-result  how the caller left the queue (QueueResult, QueueTime)
    /twilio/status        call-progress events (final status, CallDuration)

Each view verifies (signature, shape), records the webhook, commits, and answers. When the
database does not answer the webhook goes to the local spool instead and the caller still
gets TwiML that queues them: nobody hears an error because of us.
"""

import logging
import math
import threading
from email.utils import parsedate_to_datetime

from flask import Blueprint, Response, abort, current_app, g, has_request_context, request, url_for
from sqlalchemy.exc import SQLAlchemyError

from collections.abc import Callable

from helpline import call_log, call_queue, clock, live, twiml
from helpline.admin.menu_overrides import menu_in_force
from helpline.admin.saved_settings import shared_values, threshold
from helpline.caller_privacy import protect
from helpline.call_log import WebhookEvent
from helpline.db import db, dialect_name, read_only_transaction
from helpline.menu import Language, Menu
from helpline.triage import MENU_ATTEMPTS, MenuOutcome, menu_outcome
from helpline.webhook_checks import provider_webhook, signed_url

log = logging.getLogger(__name__)

bp = Blueprint("voice", __name__, url_prefix="/twilio")

# Far more returns to the queue than a real call makes; past it the URL is not ours.
MAX_EPISODES = 10_000


def current_menu() -> Menu:
    """The file's menu with an administrator's changes (the file's alone if they cannot be read)."""
    if has_request_context() and not db.session().in_transaction() and shared_values() is None:
        # A reader's transaction: on SQLite another writer's lock would otherwise make the
        # webhook wait out the timeout here, and again for its own write.
        try:
            read_only_transaction()
        except SQLAlchemyError:
            # No database: the menu falls back to the file's below.
            rollback_quietly()
    return menu_in_force()


def caller_language() -> Language:
    return current_menu().language(request.args.get("lang"))


def twiml_response(document: str) -> Response:
    return Response(document, mimetype="text/xml")


def queue_episode() -> int:
    """Which stay in the queue this webhook is about: our own URLs carry it."""
    episode = request.args.get("episode", "0")
    if not episode.isdigit() or int(episode) > MAX_EPISODES:
        abort(400, f"episode must be a whole number up to {MAX_EPISODES}")
    return int(episode)


def webhook_event(kind: str, decision: MenuOutcome | None = None) -> WebhookEvent:
    config = current_app.config
    params = request.form.to_dict()
    received_at = clock.now()
    occurred_at = parsedate_to_datetime(params["Timestamp"]) if "Timestamp" in params else received_at
    caller = None
    if "From" in params:
        caller = protect(params["From"], config["CALLER_HASH_KEY"], config["CALLER_ENCRYPTION_KEY"])
    return WebhookEvent(
        kind=kind,
        call_sid=params["CallSid"],
        dedupe_key=call_log.dedupe_key(kind, signed_url(), params, config["CALLER_HASH_KEY"]),
        received_at=received_at,
        occurred_at=occurred_at,
        params=call_log.redact(params),
        caller=caller,
        language=caller_language().code if kind != "status" else None,
        decision=decision,
        episode=queue_episode(),
    )


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
        journaled = call_log.record(
            event,
            now=clock.now(),
            emergency_key=current_menu().emergency_key,
            repeat_window_days=repeat_window_days,
        )
        queue_changed |= journaled and event.kind in call_log.QUEUE_CHANGING_KINDS
    db.session.commit()
    if queue_changed:
        best_effort(live.push_queue, "pushing the queue")


def rollback_quietly() -> None:
    """Roll back after a failure. When the database dropped the connection meanwhile the
    rollback fails too, and that must not turn the caller's TwiML into an error."""
    try:
        db.session.rollback()
    except SQLAlchemyError as error:
        log.warning("rollback failed (%s)", type(error).__name__)


def close_session_quietly(error: BaseException | None = None) -> None:
    """End the session before Flask-SQLAlchemy's teardown would: the database may have dropped
    the connection since it was last used, and the closing rollback then fails after the
    TwiML is made, which the provider would hear as a 500."""
    try:
        db.session.remove()
    except SQLAlchemyError as failure:
        db.session.registry.clear()
        log.warning("closing the session failed (%s)", type(failure).__name__)


# Registered after Flask-SQLAlchemy's teardown, so it runs before it (teardowns run in reverse),
# and after every request's own teardown (the wallboard push uses the session too).
bp.record_once(lambda state: state.app.teardown_appcontext(close_session_quietly))


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
        if isinstance(error, SQLAlchemyError):
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
        spool.replay(record_batch)
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


def enqueue_twiml(language: Language, *, emergency: bool, episode: int = 0) -> str:
    # The danger-now mark rides along in our own URLs, so the hold message is right even
    # while the database does not answer; the episode tells each return to the queue
    # apart from a retried delivery of the one before.
    marks = {"lang": language.code, **({"emergency": 1} if emergency else {}), **({"episode": episode} if episode else {})}
    return twiml.enqueue(
        language,
        queue_name=current_app.config["TWILIO_QUEUE_NAME"],
        action_url=url_for("voice.queue_result", **marks),
        wait_url=url_for("voice.wait", **marks),
        requeue=episode > 0,
    )


def menu_twiml(language: Language, *, attempt: int) -> str:
    return twiml.menu(
        language,
        gather_url=url_for("voice.menu", attempt=attempt, lang=language.code),
        silence_url=url_for("voice.enqueue", lang=language.code),
        timeout=current_menu().gather_timeout,
        greet=attempt == 1,
    )


@bp.post("/voice")
@provider_webhook
def voice():
    language = caller_language()
    record_or_spool(webhook_event("voice"))
    return twiml_response(menu_twiml(language, attempt=1))


@bp.post("/menu")
@provider_webhook
def menu():
    attempt = request.args.get("attempt", "1")
    if attempt not in {str(n) for n in range(1, MENU_ATTEMPTS + 1)}:
        abort(400, f"attempt must be 1 to {MENU_ATTEMPTS}")
    settings = current_menu()
    language = caller_language()
    outcome = menu_outcome(request.form.get("Digits"), int(attempt), settings.keys, settings.default_category)
    record_or_spool(webhook_event("menu", None if outcome.ask_again else outcome))
    if outcome.ask_again:
        return twiml_response(menu_twiml(language, attempt=int(attempt) + 1))
    return twiml_response(enqueue_twiml(language, emergency=outcome.key == settings.emergency_key))


@bp.post("/enqueue")
@provider_webhook
def enqueue():
    """Reached by the `<Redirect>` after the menu: the caller pressed nothing."""
    outcome = menu_outcome(None, MENU_ATTEMPTS, {}, current_menu().default_category)
    record_or_spool(webhook_event("enqueue", outcome))
    return twiml_response(enqueue_twiml(caller_language(), emergency=False))


@bp.post("/wait")
@provider_webhook
def wait():
    language = caller_language()
    event = webhook_event("wait")
    record_or_spool(event)
    emergency = request.args.get("emergency") == "1"
    position, expected = None, None
    if not emergency:
        position, expected = queue_estimate(event)
    return twiml_response(
        twiml.hold(
            language,
            position=position,
            expected_minutes=expected,
            emergency=emergency,
            hold_music=current_menu().hold_music,
        )
    )


def queue_estimate(event: WebhookEvent) -> tuple[int | None, int | None]:
    """Our own served-order position and expected wait; the provider's figures if the database is down."""
    params = event.params
    waited = int(params.get("QueueTime", 0))
    position, average = None, None
    if not g.get("database_unavailable"):
        try:
            now = clock.now()
            position = call_queue.position(event.call_sid, now, threshold("aging_step_seconds"))
            average = call_queue.recent_average_wait(now)
        except SQLAlchemyError:
            rollback_quietly()
            position, average = None, None
    if position is None and params.get("QueuePosition", "").isdigit():
        position = int(params["QueuePosition"])
    if average is None and params.get("AvgQueueTime", "").isdigit():
        average = int(params["AvgQueueTime"])
    expected = math.ceil(max(average - waited, 60) / 60) if average else None
    return position, expected


@bp.post("/queue-result")
@provider_webhook
def queue_result():
    if "QueueResult" not in request.form:
        abort(400, "missing QueueResult")
    language = caller_language()
    event = webhook_event("queue_result")
    record_or_spool(event)
    result = request.form["QueueResult"]
    if call_log.QUEUE_RESULT_RANKS.get(result, 0) <= call_log.REQUEUED_RANK:
        # Full queue, an error, or a result we do not know: back into the queue, never dropped.
        emergency = request.args.get("emergency") == "1"
        return twiml_response(enqueue_twiml(language, emergency=emergency, episode=event.episode + 1))
    if result.startswith("redirected"):
        return twiml_response(twiml.nothing())
    return twiml_response(twiml.hang_up())


@bp.post("/status")
@provider_webhook
def status():
    event = webhook_event("status")
    record_or_spool(event)
    if event.params.get("CallStatus") in call_log.TERMINAL_STATUSES:
        best_effort(lambda: counselor_call_ended(event.call_sid), "ending the counselor's call")
    return Response(status=204)


def counselor_call_ended(call_sid: str) -> None:
    from helpline.presence import call_ended

    counselor_id = call_ended(call_sid, clock.now())
    db.session.commit()
    if counselor_id is not None:
        live.push_presence()
        live.push_me(counselor_id)
