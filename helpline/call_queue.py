"""The live queue: who is waiting, in the order they will be served, and its version."""

import functools
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, func, select, update

from helpline.call_merge import REQUEUED_RANK
from helpline.db import db, dialect_name, insert
from helpline.models import Call, Counter
from helpline.presence import available_counselors
from helpline.triage import Waiting, current_priority, queue_order

CALLS = Call.__table__

# Enqueued, still on the line, not out of the queue, not taken by a counselor.
WAITING = (
    CALLS.c.enqueued_at.isnot(None),
    CALLS.c.ended_at.is_(None),
    CALLS.c.queue_result_rank <= REQUEUED_RANK,
    CALLS.c.counselor_id.is_(None),
)


def waiting_calls() -> list[Call]:
    return list(db.session.scalars(select(Call).where(*WAITING)))


# What the queue's snapshot shows of each caller: the columns alone, not the whole record
# (notes, the encrypted number), as the snapshot is built after every change.
SNAPSHOT_COLUMNS = tuple(
    CALLS.c[name]
    for name in (
        "call_sid", "category", "priority", "priority_reasons", "emergency", "enqueued_at", "repeat_caller",
        "language", "caller_masked",
    )
)


def waiting_rows(*columns) -> list:
    # A Core statement on the session's connection: read after every change (the push), it
    # needs none of what the ORM's handling of a statement adds but its autoflush.
    db.session.flush()
    return db.session.connection().execute(select(*columns).where(*WAITING)).all()


def figures(now: datetime) -> dict:
    """Callers waiting, the longest wait and danger-now callers waiting, counted by the database."""
    waiting, earliest, emergencies = db.session.execute(
        select(func.count(), func.min(Call.enqueued_at), func.coalesce(func.sum(case((Call.emergency.is_(True), 1), else_=0)), 0)).where(*WAITING)
    ).one()
    longest = int((now - earliest).total_seconds()) if earliest is not None else 0
    return {"waiting": waiting, "longest_wait_seconds": max(longest, 0), "emergency_waiting": int(emergencies)}


def claim(call_sid: str, counselor_id: int, now: datetime) -> bool:
    """Take a waiting caller for a counselor. Of simultaneous claims exactly one succeeds:
    the update only matches while nobody has the caller."""
    claimed = db.session.execute(
        update(Call).where(Call.call_sid == call_sid, *WAITING).values(counselor_id=counselor_id, taken_at=now)
    ).rowcount
    # The queue's version grows with the push that follows the commit (`live.emit_queue`).
    return claimed == 1


def release(call_sid: str, counselor_id: int) -> None:
    """Give a caller back to the queue (the counselor was not reached)."""
    db.session.execute(
        update(Call)
        .where(Call.call_sid == call_sid, Call.counselor_id == counselor_id, Call.logged_at.is_(None))
        .values(counselor_id=None, taken_at=None)
    )


def ordered(calls: list, now: datetime, aging_step: int) -> list:
    by_sid = {call.call_sid: call for call in calls}
    waiting = [Waiting(call.call_sid, call.priority or "normal", call.enqueued_at) for call in calls]
    return [by_sid[caller.call_sid] for caller in queue_order(waiting, now, aging_step)]


def version() -> int:
    return db.session.scalar(select(Counter.value).where(Counter.name == "queue")) or 0


def position(call_sid: str, now: datetime, aging_step: int) -> int | None:
    """1-based place in the served order, or None when the caller is not waiting."""
    callers = waiting_rows(CALLS.c.call_sid, CALLS.c.priority, CALLS.c.enqueued_at)
    for place, call in enumerate(ordered(callers, now, aging_step), start=1):
        if call.call_sid == call_sid:
            return place
    return None


def recent_average_wait(now: datetime, window: timedelta = timedelta(hours=1)) -> float | None:
    """Average wait of the callers answered within the window, for the expected-wait prompt."""
    return db.session.scalar(
        select(func.avg(Call.wait_seconds)).where(
            Call.queue_result == "bridged", Call.ended_at >= now - window, Call.wait_seconds.isnot(None)
        )
    )


def snapshot_entry(call, now: datetime, aging_step: int) -> dict:
    priority, aged = current_priority(call.priority or "normal", call.enqueued_at, now, aging_step)
    reasons = list(call.priority_reasons or []) + (["waiting_long"] if aged else [])
    return {
        "call_sid": call.call_sid,
        "category": call.category,
        "priority": priority,
        "priority_reasons": reasons,
        "emergency": call.emergency,
        "enqueued_at": call.enqueued_at.isoformat(),
        "waiting_seconds": int((now - call.enqueued_at).total_seconds()),
        "repeat_caller": call.repeat_caller,
        "language": call.language,
        "caller": call.caller_masked,
    }


def snapshot(now: datetime, aging_step: int, counted_version: int | None = None) -> dict:
    """The body of `GET /api/queue` and of the `queue` socket event. `counted_version`: the
    version a push has just counted for this snapshot, else the latest one is read."""
    # The version first: a snapshot may then be newer than its number, never older.
    current = version() if counted_version is None else counted_version
    calls = ordered(waiting_rows(*SNAPSHOT_COLUMNS), now, aging_step)
    return {
        "version": current,
        "calls": [snapshot_entry(call, now, aging_step) for call in calls],
        "stats": {
            "waiting": len(calls),
            "longest_wait_seconds": max((int((now - c.enqueued_at).total_seconds()) for c in calls), default=0),
            "emergency_waiting": sum(1 for c in calls if c.emergency),
            "available_counselors": available_counselors(),
        },
        "server_time": now.isoformat(),
    }


@functools.cache
def counter_bump(dialect: str):
    counters = Counter.__table__
    statement = insert(counters, dialect).values(name=bindparam("counter_name"), value=1)
    return statement.on_conflict_do_update(index_elements=["name"], set_={"value": counters.c.value + 1}).returning(
        counters.c.value
    )


def bump_counter(name: str) -> int:
    # On the session's connection, in its transaction: counted with every queue push.
    return db.session.connection().execute(counter_bump(dialect_name()), {"counter_name": name}).scalar_one()


def count_version() -> int:
    """The queue's next version, for a push about to read the queue (the caller commits)."""
    if dialect_name() == "postgresql":
        # The server commits with the statement: the row is locked for that statement alone.
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return bump_counter("queue")
