"""Counselors taking callers: the head of the queue, or one they chose.

The claim is a conditional update, so of two counselors taking the same caller exactly one
wins; then the provider redirects the caller to `/twilio/connect`, which dials the
counselor. If the provider refuses, the claim is undone and the caller stays queued.
"""

from flask import abort, current_app, url_for
from flask_babel import gettext as _
from flask_login import current_user

from helpline import call_queue, clock, live, words
from helpline.auth import roles_required
from helpline.db import db
from helpline.in_force.thresholds import threshold
from helpline.models import Call
from helpline.openapi.blueprint import ApiBlueprint
from helpline.presence import set_state
from helpline.serializers import CallSchema, HandledCall
from helpline.telephony.twilio.provider_rest import ProviderUnavailable, redirect_caller

bp = ApiBlueprint("taking", __name__, url_prefix="/api")
TAKEN = "Taken: the provider is connecting the caller."
PROVIDER_DOWN = "The provider did not redirect the caller; the caller is still in the queue."

# How many times "take the next caller" moves on when someone else got the head first.
NEXT_ATTEMPTS = 5


def require_available() -> None:
    if current_user.presence != "available":
        state = str(words.PRESENCE_STATES.get(current_user.presence, current_user.presence)).lower()
        abort(409, _("you are %(state)s: set yourself available to take callers", state=state))


def connect_url(call: Call) -> str:
    marks = {"counselor": current_user.id, "lang": call.language or "", "episode": call.queue_episode}
    if call.emergency:
        marks["emergency"] = 1
    path = url_for("connect.connect", **marks)
    base = current_app.config["PUBLIC_BASE_URL"]
    return base + path if base else url_for("connect.connect", _external=True, **marks)


def hand_over(call: Call):
    """The claim is committed: put the counselor on the call and have the provider connect them."""
    now = clock.now()
    set_state(current_user, "on_call", now)
    db.session.commit()
    try:
        redirect_caller(call.call_sid, call.queue_sid, connect_url(call))
    except ProviderUnavailable as reason:
        call_queue.release(call.call_sid, current_user.id)
        set_state(current_user, "available", now)
        db.session.commit()
        live.push_queue()
        live.push_presence()
        abort(502, _("%(reason)s; the caller is still in the queue", reason=reason))
    live.push_queue()
    live.push_presence()
    live.push_me(current_user.id)
    db.session.refresh(call)
    return HandledCall(call, current_user.username)


@bp.post("/queue/take")
@roles_required("counselor")
@bp.response(200, CallSchema, description=TAKEN)
@bp.refuses(409, "The counselor is not available, or no caller is waiting.")
@bp.refuses(502, PROVIDER_DOWN)
def take_next():
    """Take the caller at the head of the queue"""
    require_available()
    now = clock.now()
    for _attempt in range(NEXT_ATTEMPTS):
        waiting = call_queue.ordered(call_queue.waiting_calls(), now, threshold("aging_step_seconds"))
        if not waiting:
            abort(409, _("no caller is waiting"))
        if call_queue.claim(waiting[0].call_sid, current_user.id, now):
            return hand_over(waiting[0])
        db.session.rollback()
    abort(409, _("other counselors took the waiting callers first; try again"))


@bp.post("/calls/<call_sid>/take", parameters=[{"in": "path", "name": "call_sid", "description": "The provider's CallSid."}])
@roles_required("counselor")
@bp.response(200, CallSchema, description=TAKEN)
@bp.refuses(404, "No such call.")
@bp.refuses(409, "The counselor is not available, or another counselor took the caller first.")
@bp.refuses(502, PROVIDER_DOWN)
def take(call_sid: str):
    """Take this caller"""
    require_available()
    call = db.session.get(Call, call_sid)
    if call is None:
        abort(404, "no such call")
    if not call_queue.claim(call_sid, current_user.id, clock.now()):
        db.session.rollback()
        abort(409, _("another counselor took this caller first, or they are no longer waiting"))
    return hand_over(call)
