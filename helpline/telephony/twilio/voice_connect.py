"""The provider's webhooks once a counselor takes a caller.

    /twilio/connect      where the caller is redirected: dial the counselor
    /twilio/dial-result  how the dial ended; a counselor who did not answer sends the
                         caller back into the queue, never away

Like the other webhooks: signature and shape first, recorded (or spooled), then TwiML.
"""

from flask import Blueprint, abort, request, url_for
from sqlalchemy.exc import SQLAlchemyError

from helpline import clock, live
from helpline.call_log import ANSWERED_DIAL
from helpline.call_queue import release
from helpline.db import db
from helpline.models import User
from helpline.presence import call_ended, set_state
from helpline.telephony.twilio import twiml
from helpline.telephony.twilio.call_webhooks import caller_language, enqueue_twiml, twiml_response, webhook_event
from helpline.telephony.twilio.webhook_checks import provider_webhook
from helpline.webhook_recording import best_effort, record_or_spool, rollback_quietly

bp = Blueprint("connect", __name__, url_prefix="/twilio")

# Seconds the counselor's phone or browser rings before the caller goes back to the queue.
DIAL_TIMEOUT = 20


def counselor_arg() -> int:
    counselor = request.args.get("counselor", "")
    if not counselor.isdigit():
        abort(400, "counselor must be a user id")
    return int(counselor)


def marks(**extra) -> dict:
    """Our query parameters, carried from one URL of the call to the next."""
    kept = {name: request.args[name] for name in ("lang", "emergency", "episode") if name in request.args}
    return {**kept, **extra}


@bp.post("/connect")
@provider_webhook
def connect():
    counselor_id = counselor_arg()
    event = webhook_event("connect")
    record_or_spool(event)
    language = caller_language()
    try:
        counselor = db.session.get(User, counselor_id)
        identity, number = (counselor.client_identity, counselor.phone_number) if counselor else (None, None)
    except SQLAlchemyError:
        rollback_quietly()
        # The database is down: the browser client identity needs no lookup.
        identity, number = User(id=counselor_id).client_identity, None
    if identity is None:
        # Nobody to dial: back into the queue rather than a dead end.
        return twiml_response(enqueue_twiml(language, emergency=emergency(), episode=event.episode + 1))
    return twiml_response(
        twiml.connect(
            language,
            client_identity=identity,
            number=number,
            action_url=url_for("connect.dial_result", **marks(counselor=counselor_id)),
            timeout=DIAL_TIMEOUT,
        )
    )


def emergency() -> bool:
    return request.args.get("emergency") == "1"


@bp.post("/dial-result")
@provider_webhook
def dial_result():
    counselor_id = counselor_arg()
    if "DialCallStatus" not in request.form:
        abort(400, "missing DialCallStatus")
    event = webhook_event("dial_result")
    record_or_spool(event)
    answered = request.form["DialCallStatus"] in ANSWERED_DIAL
    best_effort(lambda: settle_counselor(event.call_sid, counselor_id, answered), "settling the counselor")
    if answered:
        return twiml_response(twiml.hang_up())
    return twiml_response(enqueue_twiml(caller_language(), emergency=emergency(), episode=event.episode + 1))


def settle_counselor(call_sid: str, counselor_id: int, answered: bool) -> None:
    """After the talk, wrap-up; after a missed dial, the caller is free for others and the
    counselor on a break until they say they are back."""
    now = clock.now()
    if answered:
        call_ended(call_sid, now)
    else:
        release(call_sid, counselor_id)
        counselor = db.session.get(User, counselor_id)
        if counselor is not None and counselor.presence == "on_call":
            set_state(counselor, "break", now)
    db.session.commit()
    live.push_queue()
    live.push_presence()
    live.push_me(counselor_id)
