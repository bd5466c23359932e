"""The reveal's routes: the call page's form, and `POST /api/calls/<call_sid>/reveal`.

Both refuse counselors, need a reason, write the audit record and commit it before answering,
and answer with `Cache-Control: no-store` so no cache keeps the number. They share one budget
per user (REVEAL_LIMIT), counted on recorded attempts only.
"""

from flask import Response, abort, jsonify, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from helpline import clock
from helpline.auth import json_body, limiter, roles_required
from helpline.db import db
from helpline.models import SUPERVISING_ROLES, Call
from helpline.review.blueprints import api_bp, bp
from helpline.review.call_page import render_call_page
from helpline.review.number_reveal import ReasonError, checked_reason, reveal_number

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


@api_bp.post("/calls/<call_sid>/reveal")
@roles_required(*SUPERVISING_ROLES)
@reveal_limit
def reveal_json(call_sid: str):
    call = call_or_404(call_sid)
    try:
        reason = checked_reason(json_body().get("reason"))
    except ReasonError as error:
        abort(400, str(error))
    outcome = reveal_number(call, current_user.id, reason, "api", clock.now())
    db.session.commit()
    return not_stored(jsonify(number=outcome.number, result=outcome.result))
