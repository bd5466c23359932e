"""Counselors' presence: available, on a call, wrap-up, break, offline.

Only available counselors are offered callers. Taking a caller puts a counselor on the call;
the call ending puts them in wrap-up, where they stay until their log of every call they
handled is complete. `on_call` is the service's to set, never the counselor's.
"""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from helpline.db import db
from helpline.models import PRESENCE_STATES, Call, PresenceChange, User

CHOSEN_STATES = ("available", "wrap_up", "break", "offline")


class PresenceRefused(Exception):
    """A change the rules do not allow now; `str()` says why, in the user's language (the
    dashboard shows it)."""


def unlogged_calls(user_id: int) -> list[Call]:
    """Calls this counselor took whose log is not complete yet."""
    return list(db.session.scalars(select(Call).where(Call.counselor_id == user_id, Call.logged_at.is_(None))))


def live_call(user_id: int) -> Call | None:
    return next((call for call in unlogged_calls(user_id) if call.ended_at is None), None)


def choose(user: User, state: str, now: datetime) -> None:
    """A counselor's own choice of state."""
    if state not in PRESENCE_STATES:
        raise ValueError(f"state must be one of {', '.join(PRESENCE_STATES)}")
    if state not in CHOSEN_STATES:
        raise PresenceRefused(_("on_call is set when you take a caller"))
    if live_call(user.id) is not None and state != "on_call":
        raise PresenceRefused(_("you are on a call"))
    if state == "available" and unlogged_calls(user.id):
        raise PresenceRefused(_("complete the log of your last call first"))
    set_state(user, state, now)


def set_state(user: User, state: str, now: datetime) -> None:
    if user.presence != state:
        user.presence = state
        user.presence_since = now
        db.session.add(PresenceChange(user_id=user.id, state=state, changed_at=now))


def call_ended(call_sid: str, now: datetime) -> int | None:
    """The counselor on this call goes to wrap-up, or straight back to available when they
    logged it while talking; their id, when there was one."""
    call = db.session.get(Call, call_sid)
    if call is None or call.counselor_id is None:
        return None
    counselor = db.session.get(User, call.counselor_id)
    if call.logged_at is not None and call.wrap_up_seconds is None:
        call.wrap_up_seconds = 0
    unlogged = unlogged_calls(counselor.id)
    still_talking = any(other.ended_at is None and other.call_sid != call_sid for other in unlogged)
    if counselor.presence == "on_call" and not still_talking:
        set_state(counselor, "wrap_up" if unlogged else "available", now)
    return counselor.id


def log_completed(user: User, now: datetime) -> None:
    """Wrap-up ends once every handled call is logged."""
    if user.presence == "wrap_up" and not unlogged_calls(user.id):
        set_state(user, "available", now)


def available_counselors() -> int:
    # Counted with every queue push: a Core statement on the session's connection (and the
    # ORM's autoflush, so a change not yet written counts).
    users = User.__table__.c
    available = select(func.count()).where(users.role == "counselor", users.active.is_(True), users.presence == "available")
    db.session.flush()
    return db.session.connection().execute(available).scalar_one()


def go_offline(user_id: int, now: datetime) -> None:
    set_state(db.session.get(User, user_id), "offline", now)
