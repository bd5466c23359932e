"""The provider's webhooks: a call's life from greeting to hang-up.

    /twilio/voice         greeting and menu (the number's "a call comes in" URL)
    /twilio/menu          the key pressed; a wrong key asks once more
    /twilio/enqueue       silence after the menu
    /twilio/wait          what a waiting caller hears: position, expected wait, music
    /twilio/queue-result  how the caller left the queue (QueueResult, QueueTime)
    /twilio/status        call-progress events (final status, CallDuration)

Each view verifies (signature, shape), records the webhook (`webhook_recording`), and answers.
When the database does not answer the webhook goes to the local spool instead and the caller
still gets TwiML that queues them: nobody hears an error because of us.
"""

import logging
import math

from flask import Blueprint, Response, abort, g, request
from sqlalchemy.exc import SQLAlchemyError

from helpline import call_queue, clock, live
from helpline.call_log import WebhookEvent
from helpline.call_merge import QUEUE_RESULT_RANKS, REQUEUED_RANK, TERMINAL_STATUSES
from helpline.db import db
from helpline.in_force.thresholds import threshold
from helpline.presence import call_ended
from helpline.telephony.twilio import twiml
from helpline.telephony.twilio.call_webhooks import caller_language, current_menu, enqueue_twiml, menu_twiml, twiml_response, webhook_event
from helpline.telephony.twilio.webhook_checks import provider_webhook
from helpline.triage import MENU_ATTEMPTS, menu_outcome
from helpline.webhook_recording import best_effort, record_or_spool, rollback_quietly

log = logging.getLogger(__name__)

bp = Blueprint("voice", __name__, url_prefix="/twilio")

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
    if QUEUE_RESULT_RANKS.get(result, 0) <= REQUEUED_RANK:
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
    if event.params.get("CallStatus") in TERMINAL_STATUSES:
        best_effort(lambda: counselor_call_ended(event.call_sid), "ending the counselor's call")
    return Response(status=204)


def counselor_call_ended(call_sid: str) -> None:
    counselor_id = call_ended(call_sid, clock.now())
    db.session.commit()
    if counselor_id is not None:
        live.push_presence()
        live.push_me(counselor_id)
