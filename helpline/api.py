"""The JSON API for the live queue and the call log (logged-in users)."""

from flask import abort, request
from flask_login import current_user
from marshmallow import Schema, fields
from sqlalchemy import func, select

from helpline.auth import roles_required
from helpline.db import db
from helpline.i18n import page_language
from helpline.in_force.taxonomy_labels import current_taxonomy
from helpline.models import ROLES, SUPERVISING_ROLES, Call, User
from helpline.openapi.blueprint import ApiBlueprint
from helpline.periods import LIST_PARAMETERS, or_400, query_parameter, requested_page, requested_period
from helpline.serializers import CallSchema, HandledCall, MeSchema, QueueSchema, TaxonomySchema, own_state, queue_snapshot
from helpline.taxonomy import LANGUAGES

bp = ApiBlueprint("api", __name__, url_prefix="/api")
LANG = query_parameter("lang", {"type": "string", "enum": list(LANGUAGES)}, "Labels in this language; the user's own by default.")
CALL_SID = {"in": "path", "name": "call_sid", "description": "The provider's CallSid (`CA` and 32 hex digits)."}


class CallsSchema(Schema):
    calls = fields.List(fields.Nested(CallSchema), required=True)
    total = fields.Integer(required=True, metadata={"minimum": 0})


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
@bp.response(200, MeSchema, description="The user.")
def me():
    """The user, their presence and their current call"""
    return own_state(current_user.id)


@bp.get("/taxonomy", parameters=[LANG])
@roles_required(*ROLES)
@bp.response(200, TaxonomySchema, description="The taxonomy.")
@bp.refuses(400, "Not a language.")
def taxonomy():
    """The values a call log takes, labelled"""
    return current_taxonomy().as_api(language())


@bp.get("/queue")
@roles_required(*ROLES)
@bp.response(200, QueueSchema, description="The queue.")
def queue():
    """The callers waiting, in the order they will be served"""
    return queue_snapshot()


@bp.get("/calls", parameters=list(LIST_PARAMETERS))
@roles_required(*ROLES)
@bp.response(200, CallsSchema, description="A page of calls.")
@bp.refuses(400, "A bad `from`, `to`, `page` or `per_page`: the message names it.")
def calls():
    """Calls that started in a period of local days, newest first: a counselor's own, every call
    for supervisors and admins"""
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
    return {"calls": [HandledCall(*row) for row in rows], "total": total}


@bp.get("/calls/<call_sid>", parameters=[CALL_SID])
@roles_required(*ROLES)
@bp.response(200, CallSchema, description="The call.")
@bp.refuses(403, "A call another counselor handled.")
@bp.refuses(404, "No such call.")
def call(call_sid: str):
    """One call (a counselor's own; any, for supervisors and admins)"""
    row = db.session.execute(
        select(Call, User.username).outerjoin(User, Call.counselor_id == User.id).where(Call.call_sid == call_sid)
    ).first()
    if row is None:
        abort(404, "no such call")
    if not reads_call(current_user.role, current_user.id, row[0]):
        abort(403, "only the counselor who handled this call, supervisors and admins read it")
    return HandledCall(*row)
