"""Per counselor: calls handled, handle time, and occupancy from the presence history.

Occupancy = (Σ talk + Σ wrap-up of the calls they answered in the period) ÷ (time they spent
available, on a call or in wrap-up within the period). Each `presence_changes` row is a state
that lasts until the same user's next row; the latest row lasts until now. Spans are clipped
to the period. Calls count in the period they reached the queue, so a call straddling the end
can put talk outside the staffed time: occupancy is capped at 1. None without staffed time.
"""

from datetime import datetime

from sqlalchemy import and_, case, func, or_, select, union_all

from helpline.db import db, dialect_name
from helpline.models import Call, PresenceChange, User
from helpline.reports.rollup_tables import CounselorDay, PresenceDay
from helpline.reports.rollups import STAFFED_STATES, RollupDays, days_covered, in_days, with_deltas
from helpline.reports.sql import later_of, moment, seconds_between
from helpline.reports.summary import is_answered, mean_of, offered_in, ratio, seconds


def handled_by_counselor(start_utc: datetime, end_utc: datetime) -> dict[int, dict]:
    rows = db.session.execute(
        select(
            Call.counselor_id,
            func.count().label("handled"),
            func.coalesce(func.sum(Call.talk_seconds), 0).label("talk"),
            func.coalesce(func.sum(Call.wrap_up_seconds), 0).label("wrap_up"),
            func.avg(Call.talk_seconds + func.coalesce(Call.wrap_up_seconds, 0)).label("average_handle_time"),
            func.avg(Call.wrap_up_seconds).label("average_wrap_up"),
        )
        .where(*offered_in(start_utc, end_utc), is_answered(), Call.counselor_id.isnot(None))
        .group_by(Call.counselor_id)
    ).all()
    return {row.counselor_id: row._asdict() for row in rows}


def states_in_force(start_utc: datetime):
    """Each user's change in force at the start (their last at or before it): one index probe
    per user on (user_id, changed_at), rather than a scan of the history before the period."""
    last_before = (
        select(func.max(PresenceChange.changed_at))
        .where(PresenceChange.user_id == User.id, PresenceChange.changed_at <= start_utc)
        .correlate(User)
        .scalar_subquery()
    )
    return (
        select(PresenceChange.id, PresenceChange.user_id, PresenceChange.state, PresenceChange.changed_at)
        .join(User, PresenceChange.user_id == User.id)
        .where(PresenceChange.changed_at == last_before)
    )


def changes_within(start_utc: datetime, end_utc: datetime):
    # "Of any user" lets both databases range-scan the (user_id, changed_at) index per user
    # instead of reading the whole history.
    return select(PresenceChange.id, PresenceChange.user_id, PresenceChange.state, PresenceChange.changed_at).where(
        PresenceChange.user_id.in_(select(User.id)),
        PresenceChange.changed_at > start_utc,
        PresenceChange.changed_at < end_utc,
    )


def staffed_seconds(start_utc: datetime, end_utc: datetime, now: datetime) -> dict[int, float]:
    """Seconds each user spent in a staffed state within [start, end), up to now."""
    dialect = dialect_name()
    changes = union_all(states_in_force(start_utc), changes_within(start_utc, end_utc)).subquery()
    spans = select(
        changes.c.user_id,
        changes.c.state,
        changes.c.changed_at,
        func.lead(changes.c.changed_at)
        .over(partition_by=changes.c.user_id, order_by=(changes.c.changed_at, changes.c.id))
        .label("until"),
    ).subquery()
    horizon = min(end_utc, now)
    span_start = later_of(spans.c.changed_at, moment(start_utc), dialect)
    span_end = func.coalesce(spans.c.until, moment(horizon))
    length = seconds_between(span_start, span_end, dialect)
    rows = db.session.execute(
        select(spans.c.user_id, func.sum(case((length > 0, length), else_=0)))
        .where(spans.c.state.in_(STAFFED_STATES))
        .group_by(spans.c.user_id)
    ).all()
    return {user_id: float(total) for user_id, total in rows if total}


def rolled_up_handled(days: RollupDays) -> dict[int, dict]:
    """handled_by_counselor from `counselor_days`."""
    counselor_days = with_deltas(db.session, CounselorDay)
    handled = func.sum(counselor_days.handled)
    rows = db.session.execute(
        select(
            counselor_days.counselor_id, handled.label("handled"), func.sum(counselor_days.talk_seconds).label("talk"),
            func.sum(counselor_days.wrap_up_seconds).label("wrap_up"), func.sum(counselor_days.handle_seconds).label("handle"),
            func.sum(counselor_days.timed_calls).label("timed"), func.sum(counselor_days.wrap_ups).label("wrap_ups"),
        )
        .where(*in_days(counselor_days, days), counselor_days.counselor_id != 0)
        .group_by(counselor_days.counselor_id)
        .having(handled > 0)
    ).all()  # fmt: skip
    return {
        row.counselor_id: {
            "handled": row.handled, "talk": row.talk, "wrap_up": row.wrap_up,
            "average_handle_time": mean_of(row.handle, row.timed), "average_wrap_up": mean_of(row.wrap_up, row.wrap_ups),
        }
        for row in rows
    }  # fmt: skip


def latest_states() -> list:
    """Each user's latest change (by time, then id): the span the rollup does not hold yet."""
    latest_at = (
        select(func.max(PresenceChange.changed_at)).where(PresenceChange.user_id == User.id).correlate(User).scalar_subquery()
    )
    rows = db.session.execute(
        select(PresenceChange.id, PresenceChange.user_id, PresenceChange.state, PresenceChange.changed_at)
        .join(User, PresenceChange.user_id == User.id)
        .where(PresenceChange.changed_at == latest_at)
    ).all()
    latest: dict[int, object] = {}
    for row in rows:
        if row.user_id not in latest or row.id > latest[row.user_id].id:
            latest[row.user_id] = row
    return list(latest.values())


def rolled_up_staffed(days: RollupDays, start_utc: datetime, end_utc: datetime, now: datetime) -> dict[int, float]:
    """staffed_seconds from `presence_days` (the ended spans, cut at local midnights) and each
    user's latest state, which lasts until now. The same figures, as changes are recorded at
    the moment they happen, so none is later than now."""
    rows = db.session.execute(
        select(PresenceDay.user_id, func.sum(PresenceDay.staffed_microseconds))
        .where(*in_days(PresenceDay, days))
        .group_by(PresenceDay.user_id)
    ).all()
    staffed = {user_id: int(total) / 1_000_000 for user_id, total in rows}
    horizon = min(end_utc, now)
    for latest in latest_states():
        if latest.state in STAFFED_STATES:
            ongoing = (horizon - max(latest.changed_at, start_utc)).total_seconds()
            if ongoing > 0:
                staffed[latest.user_id] = staffed.get(latest.user_id, 0.0) + ongoing
    return {user_id: total for user_id, total in staffed.items() if total}


def occupancy(busy_seconds: float, staffed: float | None) -> float | None:
    return min(1.0, ratio(busy_seconds, staffed)) if staffed else None


def per_counselor(start_utc: datetime, end_utc: datetime, *, now: datetime) -> list[dict]:
    """Every active counselor, and anyone else who handled a call or was staffed, by name."""
    days = days_covered(db.session, start_utc, end_utc)
    if days is None:
        handled, staffed = handled_by_counselor(start_utc, end_utc), staffed_seconds(start_utc, end_utc, now)
    else:
        handled, staffed = rolled_up_handled(days), rolled_up_staffed(days, start_utc, end_utc, now)
    users = db.session.scalars(
        select(User).where(
            or_(and_(User.role == "counselor", User.active.is_(True)), User.id.in_(set(handled) | set(staffed)))
        ).order_by(User.username)
    ).all()
    report = []
    for user in users:
        calls = handled.get(user.id, {})
        busy = float(calls.get("talk", 0)) + float(calls.get("wrap_up", 0))
        report.append(
            {
                "counselor": user.username,
                "handled": int(calls.get("handled", 0)),
                "talk_seconds": float(calls.get("talk", 0)),
                "wrap_up_seconds": float(calls.get("wrap_up", 0)),
                "average_handle_time": seconds(calls.get("average_handle_time")),
                "average_wrap_up": seconds(calls.get("average_wrap_up")),
                "staffed_seconds": staffed.get(user.id, 0.0),
                "occupancy": occupancy(busy, staffed.get(user.id)),
            }
        )
    return report
