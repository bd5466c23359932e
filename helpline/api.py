"""The JSON API for the live queue and the call log (logged-in users)."""

from datetime import date, datetime, time, timedelta, timezone

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user
from sqlalchemy import func, select

from helpline import clock
from helpline.auth import roles_required
from helpline.db import db
from helpline.i18n import page_language
from helpline.in_force.taxonomy_labels import current_taxonomy
from helpline.models import ROLES, SUPERVISING_ROLES, Call, User
from helpline.serializers import call_json, me_json, queue_body
from helpline.taxonomy import LANGUAGES

bp = Blueprint("api", __name__, url_prefix="/api")

# Who reads every call's record, counselors' notes included: supervisors review calls and read
# reports. A counselor reads the calls they handled, as only they log them (PATCH: 403).

MAX_PER_PAGE = 200
# Bounded so an absurd page number is a 400, not an OFFSET the database cannot hold.
MAX_PAGE = 100_000


def reads_call(role: str, user_id: int, call: Call) -> bool:
    return role in SUPERVISING_ROLES or call.counselor_id == user_id


def readable_by_current_user(query):
    if current_user.role in SUPERVISING_ROLES:
        return query
    return query.where(Call.counselor_id == current_user.id)


def calls_with_counselors(query):
    return db.session.execute(query.add_columns(User.username).outerjoin(User, Call.counselor_id == User.id)).all()


def day_arg(name: str, default: date) -> date:
    value = request.args.get(name)
    if value is None:
        return default
    day = clock.plain_date(value)
    if day is None:
        abort(400, f"{name} must be a date as YYYY-MM-DD")
    if not clock.supported(day):
        abort(400, f"{name} must be a day {clock.SUPPORTED_DAYS}")
    return day


def positive_int_arg(name: str, default: int, maximum: int | None = None) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    if not (value.isascii() and value.isdigit()) or int(value) < 1 or (maximum is not None and int(value) > maximum):
        abort(400, f"{name} must be a whole number from 1" + (f" to {maximum}" if maximum else ""))
    return int(value)


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
    today = clock.now().date()
    first = day_arg("from", today)
    last = day_arg("to", first)
    if last < first:
        abort(400, "to must not be before from")
    page = positive_int_arg("page", 1, MAX_PAGE)
    per_page = positive_int_arg("per_page", 50, MAX_PER_PAGE)
    start = datetime.combine(first, time.min, tzinfo=timezone.utc)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=timezone.utc)
    in_period = (Call.started_at >= start, Call.started_at < end)
    total = db.session.scalar(readable_by_current_user(select(func.count()).select_from(Call).where(*in_period)))
    rows = calls_with_counselors(
        readable_by_current_user(select(Call).where(*in_period))
        .order_by(Call.started_at.desc(), Call.call_sid)
        .limit(per_page)
        .offset((page - 1) * per_page)
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
