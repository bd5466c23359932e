"""The reveal's routes: the call page's form, and `POST /api/calls/<call_sid>/reveal`.

Both refuse counselors, need a reason, write the audit record and commit it before answering,
and answer with `Cache-Control: no-store` so no cache keeps the number. They share one budget
per user (REVEAL_LIMIT), counted on recorded attempts only.
"""

from flask import Response, abort, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import EXCLUDE, Schema, fields
from marshmallow.validate import OneOf

from helpline import clock
from helpline.auth import limiter, roles_required
from helpline.db import db
from helpline.models import SUPERVISING_ROLES, Call
from helpline.review.blueprints import api_bp, bp
from helpline.review.call_page import render_call_page
from helpline.review.number_reveal import ReasonError, checked_reason, reveal_number


class ReasonSchema(Schema):
    # Checked by `checked_reason`, as the page's form is (its message says what a reason needs).
    reason = fields.Raw(metadata={"type": "string", "minLength": 1})

    class Meta:
        unknown = EXCLUDE


class RevealedSchema(Schema):
    number = fields.String(required=True, allow_none=True, metadata={"description": "Null unless `result` is `revealed`."})
    result = fields.String(required=True, validate=OneOf(("revealed", "withheld", "none", "unreadable")))


REVEALS_PER_HOUR = 20
REVEAL_LIMIT = f"{REVEALS_PER_HOUR} per hour"


def reveal_limit_key() -> str:
    # Per user, not per address: supervisors may share one office address.
    return f"user-{current_user.id}"


def reveal_limit_message() -> str:
    return _(
        "Too many reveals: at most %(count)d an hour. Ask another supervisor or try again later.", count=REVEALS_PER_HOUR
    )


# Applied under roles_required, so the key is always a logged-in user's.
reveal_limit = limiter.shared_limit(
    REVEAL_LIMIT,
    scope="reveal_number",
    key_func=reveal_limit_key,
    deduct_when=lambda response: response.status_code == 200,
    error_message=reveal_limit_message,
)


def call_or_404(call_sid: str) -> Call:
    call = db.session.get(Call, call_sid)
    if call is None:
        abort(404, _("No such call."))
    return call


def not_stored(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/calls/<call_sid>/reveal")
@roles_required(*SUPERVISING_ROLES)
@reveal_limit
def reveal_page(call_sid: str):
    call = call_or_404(call_sid)
    typed = request.form.get("reason", "")
    try:
        reason = checked_reason(typed)
    except ReasonError as error:
        return render_call_page(call_sid, reason=typed, reason_error=str(error)), 400
    outcome = reveal_number(call, current_user.id, reason, "page", clock.now())
    db.session.commit()
    return not_stored(make_response(render_call_page(call_sid, reveal=outcome)))


@bp.get("/calls/<call_sid>/reveal")
@roles_required(*SUPERVISING_ROLES)
def after_reveal(call_sid: str):
    # Where the language switch sends a reader of a reveal's answer back to: the plain call
    # page (a GET never reveals).
    return redirect(url_for("review.call_page", call_sid=call_sid))


@api_bp.post("/calls/<call_sid>/reveal", parameters=[{"in": "path", "name": "call_sid", "description": "The provider's CallSid."}])
@roles_required(*SUPERVISING_ROLES)
@reveal_limit
@api_bp.arguments(ReasonSchema)
@api_bp.response(200, RevealedSchema, description="The number (null unless `result` is `revealed`).")
@api_bp.refuses(404, "No such call.")
@api_bp.refuses(429, "Too many reveals by this user (20 an hour).")
def reveal_json(body: dict, call_sid: str):
    """Reveal the caller's number, with a reason; writes an audit record"""
    call = call_or_404(call_sid)
    try:
        reason = checked_reason(body.get("reason"))
    except ReasonError as error:
        abort(400, str(error))
    outcome = reveal_number(call, current_user.id, reason, "api", clock.now())
    db.session.commit()
    # No cache keeps the number.
    return outcome, 200, {"Cache-Control": "no-store"}
