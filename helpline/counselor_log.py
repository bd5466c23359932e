"""The counselor's log of a call: `PATCH /api/calls/<call_sid>`.

Any subset of the fields may be sent, so the dashboard saves drafts as the counselor types;
a log with call type, categories, risk level and outcome is complete, which ends that
counselor's wrap-up. A call logged high or imminent risk alerts supervisors.
"""

from datetime import date

from flask import Blueprint, abort, current_app, jsonify
from flask_login import current_user

from helpline import clock, live
from helpline.auth import json_body, roles_required
from helpline.db import db
from helpline.models import Call
from helpline.presence import log_completed
from helpline.serializers import call_json
from helpline.taxonomy import HIGH_RISK_LEVELS, Taxonomy

bp = Blueprint("counselor_log", __name__, url_prefix="/api")

REQUIRED = ("call_type", "categories", "risk_level", "outcome")
MAX_CATEGORIES = 20
MAX_REFERRAL = 200
MAX_NOTES = 20_000


class LogFieldError(ValueError):
    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field


def one_of(field: str, value, allowed) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in allowed:
        raise LogFieldError(field, "not one of the taxonomy's values")
    return value


def text(field: str, value, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise LogFieldError(field, "must be text")
    if len(value) > limit:
        raise LogFieldError(field, f"at most {limit} characters")
    return value.strip() or None


def validate(body: dict, taxonomy: Taxonomy, today: date) -> dict:
    """The fields to store, checked; LogFieldError names the first bad one (pure)."""
    known = {"call_type", "categories", "risk_level", "outcome", "referral", "notes", "follow_up_on"}
    unknown = sorted(set(body) - known)
    if unknown:
        raise LogFieldError(unknown[0], "not a field of the call log")
    fields = {}
    if "call_type" in body:
        fields["call_type"] = one_of("call_type", body["call_type"], taxonomy.call_type_keys)
    if "categories" in body:
        categories = body["categories"]
        if categories is None:
            categories = []
        if not isinstance(categories, list) or not all(isinstance(key, str) for key in categories):
            raise LogFieldError("categories", "must be a list of category keys")
        if len(categories) > MAX_CATEGORIES or len(set(categories)) != len(categories):
            raise LogFieldError("categories", f"at most {MAX_CATEGORIES}, each once")
        strangers = [key for key in categories if key not in taxonomy.category_keys]
        if strangers:
            raise LogFieldError("categories", f"{strangers[0]} is not a category")
        fields["categories"] = categories
    if "risk_level" in body:
        fields["risk_level"] = one_of("risk_level", body["risk_level"], taxonomy.risk_levels)
    if "outcome" in body:
        fields["outcome"] = one_of("outcome", body["outcome"], taxonomy.outcome_keys)
    if "referral" in body:
        fields["referral"] = text("referral", body["referral"], MAX_REFERRAL)
    if "notes" in body:
        fields["notes"] = text("notes", body["notes"], MAX_NOTES)
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
        raise LogFieldError("follow_up_on", "must not be in the past")
    return day


def is_complete(call: Call) -> bool:
    return all(bool(getattr(call, field)) for field in REQUIRED)


@bp.patch("/calls/<call_sid>")
@roles_required("counselor")
def log_call(call_sid: str):
    call = db.session.get(Call, call_sid)
    if call is None:
        abort(404, "no such call")
    if call.counselor_id != current_user.id:
        abort(403, "only the counselor who handled this call logs it")
    now = clock.now()
    try:
        fields = validate(json_body(), current_app.extensions["helpline.taxonomy"], now.date())
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
    return jsonify(call_json(call, current_user.username))
