"""The counselor's log of a call: `PATCH /api/calls/<call_sid>`.

Any subset of the fields may be sent, so the dashboard saves drafts as the counselor types;
a log with call type, categories, risk level and outcome is complete, which ends that
counselor's wrap-up. A call logged high or imminent risk alerts supervisors.
"""

from datetime import date

from flask import abort, current_app, jsonify
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf

from helpline import clock, live
from helpline.auth import roles_required
from helpline.db import db
from helpline.models import Call
from helpline.openapi.blueprint import ApiBlueprint
from helpline.presence import log_completed
from helpline.serializers import CallSchema, HandledCall, maybe
from helpline.taxonomy import HIGH_RISK_LEVELS, RISK_LEVELS, Taxonomy

bp = ApiBlueprint("counselor_log", __name__, url_prefix="/api")

REQUIRED = ("call_type", "categories", "risk_level", "outcome")
MAX_CATEGORIES = 20
MAX_REFERRAL = 200
MAX_NOTES = 20_000


NOT_IN_TAXONOMY = "not one of the taxonomy's values"
TEXT = {"invalid": "must be text"}


class CallLogSchema(Schema):
    """Any of the fields: a draft. call_type, categories and outcome take the keys of
    `GET /api/taxonomy`; with call_type, categories, risk_level and outcome the log is complete."""

    error_messages = {"unknown": "not a field of the call log"}

    call_type = maybe(fields.String, error_messages={"invalid": NOT_IN_TAXONOMY})
    categories = maybe(
        fields.List, fields.String(), validate=Length(max=MAX_CATEGORIES, error=f"at most {MAX_CATEGORIES}, each once"),
        error_messages={"invalid": "must be a list of category keys"}, metadata={"uniqueItems": True},
    )  # fmt: skip
    risk_level = maybe(fields.String, validate=OneOf(RISK_LEVELS, error=NOT_IN_TAXONOMY), error_messages={"invalid": NOT_IN_TAXONOMY})
    outcome = maybe(fields.String, error_messages={"invalid": NOT_IN_TAXONOMY})
    referral = maybe(fields.String, validate=Length(max=MAX_REFERRAL, error="at most {max} characters"), error_messages=TEXT)
    notes = maybe(fields.String, validate=Length(max=MAX_NOTES, error="at most {max} characters"), error_messages=TEXT)
    follow_up_on = maybe(fields.String, metadata={"format": "date", "description": "Today or later."})


class LogFieldError(ValueError):
    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field


def one_of(field: str, value: str | None, allowed) -> str | None:
    if value is not None and value not in allowed:
        raise LogFieldError(field, NOT_IN_TAXONOMY)
    return value


def validate(body: dict, taxonomy: Taxonomy, today: date) -> dict:
    """The fields to store, from a body CallLogSchema has read: what the taxonomy and the day
    decide; LogFieldError names the first bad one (pure)."""
    fields = dict(body)
    for name, allowed in (("call_type", taxonomy.call_type_keys), ("risk_level", taxonomy.risk_levels), ("outcome", taxonomy.outcome_keys)):
        if name in body:
            fields[name] = one_of(name, body[name], allowed)
    if "categories" in body:
        categories = body["categories"] or []
        if len(set(categories)) != len(categories):
            raise LogFieldError("categories", f"at most {MAX_CATEGORIES}, each once")
        strangers = [key for key in categories if key not in taxonomy.category_keys]
        if strangers:
            raise LogFieldError("categories", f"{strangers[0]} is not a category")
        fields["categories"] = categories
    for name in ("referral", "notes"):
        if name in body:
            fields[name] = (body[name] or "").strip() or None
    if "follow_up_on" in body:
        fields["follow_up_on"] = follow_up_date(body["follow_up_on"], today)
    return fields


def follow_up_date(value, today: date) -> date | None:
    if value is None:
        return None
    day = clock.plain_date(value)
    if day is None:
        raise LogFieldError("follow_up_on", "must be a date as YYYY-MM-DD")
    if not clock.supported(day):
        raise LogFieldError("follow_up_on", f"must be a day {clock.SUPPORTED_DAYS}")
    if day < today:
        raise LogFieldError("follow_up_on", _("must not be in the past"))
    return day


def is_complete(call: Call) -> bool:
    return all(bool(getattr(call, field)) for field in REQUIRED)


@bp.patch("/calls/<call_sid>", parameters=[{"in": "path", "name": "call_sid", "description": "The provider's CallSid."}])
@roles_required("counselor")
@bp.arguments(CallLogSchema)
@bp.response(200, CallSchema, description="Saved.")
@bp.refuses(403, "Another role, or a call another counselor handled.")
@bp.refuses(404, "No such call.")
def log_call(body: dict, call_sid: str):
    """The counselor's log of a call (drafts too)"""
    call = db.session.get(Call, call_sid)
    if call is None:
        abort(404, "no such call")
    if call.counselor_id != current_user.id:
        abort(403, _("only the counselor who handled this call logs it"))
    now = clock.now()
    try:
        fields = validate(body, current_app.extensions["helpline.taxonomy"], now.date())
    except LogFieldError as error:
        return jsonify(error=str(error), field=error.field), 400
    was_complete, previous_risk = call.logged_at is not None, call.risk_level
    for name, value in fields.items():
        setattr(call, name, value)
    if was_complete and not is_complete(call):
        missing = next(field for field in REQUIRED if not getattr(call, field))
        db.session.rollback()
        return jsonify(error=f"{missing}: required once the log is complete", field=missing), 400
    if not was_complete and is_complete(call):
        call.logged_at = now
        if call.ended_at is not None:
            call.wrap_up_seconds = max(0, int((now - call.ended_at).total_seconds()))
        log_completed(current_user, now)
    db.session.commit()
    if call.risk_level in HIGH_RISK_LEVELS and call.risk_level != previous_risk:
        live.push_alert(
            "high_risk_logged", call.call_sid, f"{current_user.username} logged a call at {call.risk_level} risk",
            counselor=current_user.username, risk_level=call.risk_level,
        )
    live.push_me(current_user.id)
    live.push_presence()
    live.push_queue()
    return HandledCall(call, current_user.username)
