"""The bodies of the API's answers and the dashboards' socket events, in one place: a call, a
user's own state, the counselors' presence and the live queue."""

from datetime import datetime

from sqlalchemy import select

from helpline import call_queue, clock
from helpline.db import db
from helpline.in_force.thresholds import threshold
from helpline.models import Call, User


def call_json(call: Call, counselor: str | None) -> dict:
    def stamp(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "call_sid": call.call_sid,
        "status": call.status,
        "category": call.category,
        "priority": call.priority,
        "priority_reasons": call.priority_reasons or [],
        "emergency": call.emergency,
        "queue_result": call.queue_result,
        "abandoned": call.abandoned,
        "wait_seconds": call.wait_seconds,
        "duration_seconds": call.duration_seconds,
        "counselor": counselor,
        "risk_level": call.risk_level,
        "outcome": call.outcome,
        "notes": call.notes,
        "repeat_caller": call.repeat_caller,
        "language": call.language,
        "caller": call.caller_masked,
        "started_at": stamp(call.started_at),
        "enqueued_at": stamp(call.enqueued_at),
        "taken_at": stamp(call.taken_at),
        "answered_at": stamp(call.answered_at),
        "ended_at": stamp(call.ended_at),
        "talk_seconds": call.talk_seconds,
        "call_type": call.call_type,
        "categories": call.categories or [],
        "referral": call.referral,
        "follow_up_on": call.follow_up_on.isoformat() if call.follow_up_on else None,
        "logged_at": stamp(call.logged_at),
        "log_complete": call.logged_at is not None,
    }


def me_json(user_id: int) -> dict:
    """A user's own state: presence, and the call they are on or still have to log."""
    user = db.session.get(User, user_id)
    # The call they are talking on (logged or not), else the latest one still to log.
    current = db.session.scalars(
        select(Call)
        .where(Call.counselor_id == user_id, Call.ended_at.is_(None) | Call.logged_at.is_(None))
        .order_by(Call.ended_at.isnot(None), Call.taken_at.desc())
        .limit(1)
    ).first()
    return {
        "username": user.username,
        "role": user.role,
        "presence": {"state": user.presence, "since": user.presence_since.isoformat()},
        "current_call": call_json(current, user.username) if current else None,
    }


def counselors_json() -> dict:
    counselors = db.session.scalars(
        select(User).where(User.role == "counselor", User.active.is_(True)).order_by(User.username)
    )
    return {
        "counselors": [
            {"username": user.username, "state": user.presence, "since": user.presence_since.isoformat()}
            for user in counselors
        ]
    }



def queue_body(counted_version: int | None = None) -> dict:
    """The body of `GET /api/queue` and the `queue` event; `counted_version` as in
    `call_queue.snapshot`."""
    return call_queue.snapshot(clock.now(), threshold("aging_step_seconds"), counted_version)
