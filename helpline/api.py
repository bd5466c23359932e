"""The JSON API for the live queue and the call log (logged-in users)."""

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user
from sqlalchemy import func, select

from helpline.auth import roles_required
from helpline.db import db
from helpline.i18n import page_language
from helpline.in_force.taxonomy_labels import current_taxonomy
from helpline.models import ROLES, SUPERVISING_ROLES, Call, User
from helpline.periods import or_400, requested_page, requested_period
from helpline.serializers import call_json, me_json, queue_body
from helpline.taxonomy import LANGUAGES

bp = Blueprint("api", __name__, url_prefix="/api")


def reads_call(role: str, user_id: int, call: Call) -> bool:
    """Supervisors and admins read every call's record, counselors' notes included (they review
    calls and read reports); a counselor, the calls they handled, as only they log them."""
    return role in SUPERVISING_ROLES or call.counselor_id == user_id


def readable_by_current_user(query):
    if current_user.role in SUPERVISING_ROLES:
        return query
    return query.where(Call.counselor_id == current_user.id)


def calls_with_counselors(query):
    return db.session.execute(query.add_columns(User.username).outerjoin(User, Call.counselor_id == User.id)).all()


def language() -> str:
    requested = request.args.get("lang")
    if requested is not None:
        if requested not in LANGUAGES:
            abort(400, f"lang must be one of {', '.join(LANGUAGES)}")
        return requested
    # The user's own language, as their pages have.
    return page_language()


@bp.get("/me")
@roles_required(*ROLES)
def me():
    return jsonify(me_json(current_user.id))


@bp.get("/taxonomy")
@roles_required(*ROLES)
def taxonomy():
    return jsonify(current_taxonomy().as_api(language()))


@bp.get("/queue")
@roles_required(*ROLES)
def queue():
    return jsonify(queue_body())


@bp.get("/calls")
@roles_required(*ROLES)
def calls():
    # One local day (today) unless the query asks for more, as `helpline.periods` reads them.
    period = or_400(lambda: requested_period(default_days=1))
    page = or_400(requested_page)
    in_period = (Call.started_at >= period.start_utc, Call.started_at < period.end_utc)
    total = db.session.scalar(readable_by_current_user(select(func.count()).select_from(Call).where(*in_period)))
    rows = calls_with_counselors(
        readable_by_current_user(select(Call).where(*in_period))
        .order_by(Call.started_at.desc(), Call.call_sid)
        .limit(page.size)
        .offset(page.offset)
    )
    return jsonify(calls=[call_json(call, counselor) for call, counselor in rows], total=total)


@bp.get("/calls/<call_sid>")
@roles_required(*ROLES)
def call(call_sid: str):
    row = db.session.execute(
        select(Call, User.username).outerjoin(User, Call.counselor_id == User.id).where(Call.call_sid == call_sid)
    ).first()
    if row is None:
        abort(404, "no such call")
    if not reads_call(current_user.role, current_user.id, row[0]):
        abort(403, "only the counselor who handled this call, supervisors and admins read it")
    return jsonify(call_json(*row))
