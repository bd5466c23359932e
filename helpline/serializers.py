"""The bodies of the API's answers and the dashboards' socket events, declared once as schemas:
a call, a user's own state, the counselors' presence, the live queue, the taxonomy and the
wallboard's figures. The views answer with them (helpline.openapi.blueprint), the events send
what they dump, and the OpenAPI document describes them."""

from dataclasses import dataclass

from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf
from sqlalchemy import select

from helpline import call_queue, clock
from helpline.db import db
from helpline.in_force.thresholds import threshold
from helpline.models import PRESENCE_STATES, ROLES, Call, User
from helpline.taxonomy import RISK_LEVELS
from helpline.triage import PRIORITY_RANKS

PRIORITIES = list(PRIORITY_RANKS)


class Keys(fields.List):
    """A list of keys; none stored is none listed."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(value or [], attr, obj, **kwargs)


class Stamp(fields.String):
    """A moment already written as ISO 8601."""

    def __init__(self, **kwargs):
        super().__init__(metadata={"format": "date-time", **kwargs.pop("metadata", {})}, **kwargs)


def maybe(field_class, *args, **kwargs):
    return field_class(*args, allow_none=True, **kwargs)


@dataclass(frozen=True)
class HandledCall:
    """CallSchema's source: a call and the username of its counselor (or None)."""

    call: Call
    counselor: str | None


class CallSchema(Schema):
    """A call, dumped from a HandledCall."""

    call_sid = fields.String(required=True)
    status = maybe(fields.String)
    category = maybe(fields.String)
    priority = maybe(fields.String, validate=OneOf(PRIORITIES))
    priority_reasons = Keys(fields.String(), required=True)
    emergency = fields.Boolean(required=True)
    queue_result = maybe(fields.String)
    abandoned = fields.Boolean(required=True)
    wait_seconds = maybe(fields.Integer)
    duration_seconds = maybe(fields.Integer)
    counselor = maybe(fields.String)
    risk_level = maybe(fields.String, validate=OneOf(RISK_LEVELS))
    outcome = maybe(fields.String)
    notes = maybe(fields.String)
    repeat_caller = fields.Boolean(required=True)
    language = maybe(fields.String)
    caller = maybe(fields.String, attribute="caller_masked", metadata={"description": "Masked (`+98********67`), never the number."})
    started_at = maybe(fields.DateTime)
    enqueued_at = maybe(fields.DateTime)
    taken_at = maybe(fields.DateTime)
    answered_at = maybe(fields.DateTime)
    ended_at = maybe(fields.DateTime)
    talk_seconds = maybe(fields.Integer)
    call_type = maybe(fields.String)
    categories = Keys(fields.String(), required=True)
    referral = maybe(fields.String)
    follow_up_on = maybe(fields.Date)
    logged_at = maybe(fields.DateTime)
    log_complete = fields.Function(lambda handled: handled.call.logged_at is not None, required=True, metadata={"type": "boolean"})

    def get_attribute(self, obj, attr, default):
        return obj.counselor if attr == "counselor" else super().get_attribute(obj.call, attr, default)


class PresenceSchema(Schema):
    """A user's state, dumped from the user."""

    state = fields.String(required=True, attribute="presence", validate=OneOf(PRESENCE_STATES))
    since = fields.DateTime(required=True, attribute="presence_since")


class MeSchema(Schema):
    username = fields.String(required=True)
    role = fields.String(required=True, validate=OneOf(ROLES))
    presence = fields.Nested(PresenceSchema, required=True)
    current_call = maybe(fields.Nested, CallSchema, required=True)


class CounselorPresenceSchema(PresenceSchema):
    username = fields.String(required=True)


class PresenceListSchema(Schema):
    counselors = fields.List(fields.Nested(CounselorPresenceSchema), required=True)


class QueueEntrySchema(Schema):
    call_sid = fields.String(required=True)
    category = maybe(fields.String, required=True)
    priority = fields.String(required=True, validate=OneOf(PRIORITIES))
    priority_reasons = fields.List(fields.String(), required=True)
    emergency = fields.Boolean(required=True)
    enqueued_at = Stamp(required=True)
    waiting_seconds = fields.Integer(required=True)
    repeat_caller = fields.Boolean(required=True)
    language = maybe(fields.String, required=True)
    caller = maybe(fields.String, required=True)


class QueueStatsSchema(Schema):
    waiting = fields.Integer(required=True, metadata={"minimum": 0})
    longest_wait_seconds = fields.Integer(required=True)
    emergency_waiting = fields.Integer(required=True, metadata={"minimum": 0})
    available_counselors = fields.Integer(required=True, metadata={"minimum": 0})


class QueueSchema(Schema):
    version = fields.Integer(required=True, metadata={"description": "Grows with every change of the queue."})
    calls = fields.List(fields.Nested(QueueEntrySchema), required=True, metadata={"description": "In the order callers will be served."})
    stats = fields.Nested(QueueStatsSchema, required=True)
    server_time = Stamp(required=True)


class TaxonomyEntrySchema(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)


class SubcategorySchema(TaxonomyEntrySchema):
    children = fields.List(fields.Raw(), required=True, validate=Length(max=0))


class CategorySchema(TaxonomyEntrySchema):
    children = fields.List(fields.Nested(SubcategorySchema), required=True)


class TaxonomySchema(Schema):
    categories = fields.List(fields.Nested(CategorySchema), required=True)
    call_types = fields.List(fields.Nested(TaxonomyEntrySchema), required=True)
    outcomes = fields.List(fields.Nested(TaxonomyEntrySchema), required=True)
    risk_levels = fields.List(fields.Nested(TaxonomyEntrySchema), required=True)


# The wallboard's figures (`helpline.wallboard` counts them).


def count():
    return fields.Integer(required=True, metadata={"minimum": 0})


class QueueFiguresSchema(Schema):
    waiting = count()
    longest_wait_seconds = fields.Integer(required=True)
    emergency_waiting = count()


class TodaySchema(Schema):
    offered, answered, abandoned, short_abandons = count(), count(), count(), count()
    service_level = fields.Float(required=True, allow_none=True, metadata={"minimum": 0, "maximum": 1})
    target = fields.Float(required=True, metadata={"minimum": 0, "maximum": 1})
    service_level_seconds = fields.Integer(required=True)


CountersSchema = Schema.from_dict({state: count() for state in PRESENCE_STATES}, name="Counters")


class WallboardSchema(Schema):
    version = fields.Integer(required=True)
    queue = fields.Nested(QueueFiguresSchema, required=True)
    counselors = fields.Nested(CountersSchema, required=True)
    today = fields.Nested(TodaySchema, required=True)
    server_time = fields.String(required=True, metadata={"format": "date-time"})


def own_state(user_id: int) -> dict:
    """A user's own state (MeSchema): presence, and the call they are on or still have to log."""
    user = db.session.get(User, user_id)
    # The call they are talking on (logged or not), else the latest one still to log.
    current = db.session.scalars(
        select(Call)
        .where(Call.counselor_id == user_id, Call.ended_at.is_(None) | Call.logged_at.is_(None))
        .order_by(Call.ended_at.isnot(None), Call.taken_at.desc())
        .limit(1)
    ).first()
    return {"username": user.username, "role": user.role, "presence": user, "current_call": HandledCall(current, user.username) if current else None}


def active_counselors() -> dict:
    """PresenceListSchema's source: every active counselor, by name."""
    counselors = db.session.scalars(select(User).where(User.role == "counselor", User.active.is_(True)).order_by(User.username))
    return {"counselors": list(counselors)}


# Made once: every push dumps through them (a schema's dump keeps no state between calls).
ME, PRESENCE_LIST, QUEUE = MeSchema(), PresenceListSchema(), QueueSchema()


def me_body(user_id: int) -> dict:
    return ME.dump(own_state(user_id))


def presence_body() -> dict:
    return PRESENCE_LIST.dump(active_counselors())


def queue_snapshot(counted_version: int | None = None) -> dict:
    """QueueSchema's source; `counted_version` as in `call_queue.snapshot`."""
    return call_queue.snapshot(clock.now(), threshold("aging_step_seconds"), counted_version)


def queue_body(counted_version: int | None = None) -> dict:
    """The body of the `queue` event, as `GET /api/queue` answers it."""
    return QUEUE.dump(queue_snapshot(counted_version))
