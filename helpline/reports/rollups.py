"""The reports' rollups: which periods they answer, and the presence days they are kept with.

The call rollups (`call_days`, `call_hours`, `call_category_days`, `counselor_days`) are kept by
database triggers (see their migration). On SQLite the triggers add into the sums directly: its
writers take turns anyway. On PostgreSQL every webhook would update the same few rows of today
and this month, so concurrent webhooks would wait on each other's row locks until commit, and
insert new keys in different orders into deadlocks. There the triggers insert their signed counts
into append-only delta tables (`call_days_delta`, ..., no key: inserts never wait on each other),
and `fold_deltas` moves them into the sums: per table one statement deletes the deltas and adds
them up into the sums, in key order, so that concurrent folds lock sums rows in one order, and
each delta row, deleted by exactly one transaction, is counted once. The report views fold before
they read; readers read the sums and the deltas not folded yet together (`with_deltas`), in one
statement, which sees a fold either wholly committed or not at all, so no committed count is
ever missed or counted twice, whoever else reads or folds.

`presence_days` is kept here: each presence change inserted through the session re-counts the
spans it cuts or joins, in the same flush, so the caller's transaction commits the change and
its sums together. Changing the state of a user updates their row first, which orders
concurrent changes of one user on PostgreSQL (SQLite has one writer at a time).

A report reads the rollups when its period is whole local days of the offset they were built
with; for any other offset (or bounds that are not local midnights) it reads the calls.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, event, func, or_, select, text, union_all
from sqlalchemy.orm import aliased

from helpline.db import db, insert
from helpline.models import PresenceChange
from helpline.reports.rollup_tables import (
    CALL_CATEGORY_DAYS_DELTA,
    CALL_DAYS_DELTA,
    CALL_HOURS_DELTA,
    COUNSELOR_DAYS_DELTA,
    CallCategoryDay,
    CallDay,
    CallHour,
    CounselorDay,
    PresenceDay,
    ReportRollupSettings,
)

STAFFED_STATES = ("available", "on_call", "wrap_up")
MICROSECOND = timedelta(microseconds=1)


DELTAS = {CallDay: CALL_DAYS_DELTA, CallHour: CALL_HOURS_DELTA, CallCategoryDay: CALL_CATEGORY_DAYS_DELTA, CounselorDay: COUNSELOR_DAYS_DELTA}
# Held by a fold until its commit: a second fold meanwhile skips (readers add the deltas).
FOLD_LOCK = 0x68656C70  # any constant of this application


def fold_statement(sums, deltas) -> str:
    keys = ", ".join(column.name for column in sums.primary_key)
    counts = [column.name for column in sums.columns if not column.primary_key]
    return (
        f"WITH moved AS (DELETE FROM {deltas.name} RETURNING *) "
        f"INSERT INTO {sums.name} ({keys}, {', '.join(counts)}) "
        f"SELECT {keys}, {', '.join(f'sum({name})' for name in counts)} FROM moved GROUP BY {keys} ORDER BY {keys} "
        f"ON CONFLICT ({keys}) DO UPDATE SET {', '.join(f'{name} = {sums.name}.{name} + excluded.{name}' for name in counts)}"
    )


def fold_deltas(session) -> bool:
    """Move the counts PostgreSQL's triggers left in the delta tables into the sums, in the
    session's transaction (the caller commits, and should at once: the sums rows it adds to
    stay locked until then). False when another fold holds the lock (nothing is lost: readers
    add the deltas), and on SQLite, which has no deltas."""
    if dialect_name_of(session) != "postgresql":
        return False
    if not session.scalar(select(func.pg_try_advisory_xact_lock(FOLD_LOCK))):
        return False
    for model, deltas in DELTAS.items():
        session.execute(text(fold_statement(model.__table__, deltas)))
    return True


def with_deltas(session, model):
    """`model`'s rows to read a report from: on PostgreSQL the sums and the deltas not folded
    yet, as one set of rows with the same columns (a reader sums them up anyway)."""
    if dialect_name_of(session) != "postgresql":
        return model
    sums, deltas = model.__table__, DELTAS[model]
    rows = union_all(select(*sums.columns), select(*(deltas.c[column.name] for column in sums.columns)))
    return aliased(model, rows.subquery(f"{sums.name}_with_deltas"))


@dataclass(frozen=True)
class RollupDays:
    """The local days [first, last] a report's UTC interval covers."""

    first: date
    last: date


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def whole_months_and_days(days: RollupDays) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """The whole local months of the days (their first and last day), and the days before and
    after them: a year is twelve months, a month one, a week seven days."""
    try:
        first_whole = days.first if days.first.day == 1 else next_month(days.first)
    except OverflowError:  # December of the calendar's last year has no month after it
        return None, [(days.first, days.last)]
    after_whole = (days.last + timedelta(days=1)).replace(day=1)
    if first_whole >= after_whole:
        return None, [(days.first, days.last)]
    edges = [(days.first, first_whole - timedelta(days=1))] if days.first < first_whole else []
    if after_whole <= days.last:
        edges.append((after_whole, days.last))
    return (first_whole, after_whole - timedelta(days=1)), edges


def in_days(table, days: RollupDays, *, by_month: bool = True) -> tuple:
    """The rows of `table` that count the days: for tables with "day" and "month" rows, the
    months' rows where whole months are asked for (unless not `by_month`: the trend wants each
    day), and the days' rows of the rest."""
    if not hasattr(table, "span"):
        return (table.day >= days.first, table.day <= days.last)
    months, edges = whole_months_and_days(days) if by_month else (None, [(days.first, days.last)])
    ranges = [and_(table.span == "day", table.day >= first, table.day <= last) for first, last in edges]
    if months is not None:
        ranges.append(and_(table.span == "month", table.day >= months[0], table.day <= months[1]))
    return (or_(*ranges),)


def rollup_offset(session) -> int | None:
    return session.scalar(select(ReportRollupSettings.utc_offset_minutes).where(ReportRollupSettings.id == 1))


def local_midnight_day(moment: datetime, offset: timedelta) -> date | None:
    local = moment.astimezone(UTC) + offset
    return local.date() if local.time() == time.min else None


def days_covered(session, start_utc: datetime, end_utc: datetime, utc_offset_minutes: int | None = None) -> RollupDays | None:
    """The rollups' local days of [start, end), when both bounds are local midnights of the
    rollups' offset (and `utc_offset_minutes`, when the report groups by local time, is that
    offset); None when the report must read the calls."""
    offset_minutes = rollup_offset(session)
    if offset_minutes is None or (utc_offset_minutes is not None and utc_offset_minutes != offset_minutes):
        return None
    offset = timedelta(minutes=offset_minutes)
    first, after = local_midnight_day(start_utc, offset), local_midnight_day(end_utc, offset)
    if first is None or after is None or after <= first:
        return None
    return RollupDays(first, after - timedelta(days=1))


def day_pieces(start: datetime, end: datetime, offset: timedelta):
    """(local day, microseconds) of the span [start, end), cut at local midnights."""
    local, local_end = start.astimezone(UTC) + offset, end.astimezone(UTC) + offset
    while local < local_end:
        next_midnight = datetime.combine(local.date() + timedelta(days=1), time.min, tzinfo=UTC)
        piece_end = min(local_end, next_midnight)
        yield local.date(), (piece_end - local) // MICROSECOND
        local = piece_end


def staffed_by_day(changes: list[tuple[datetime, str]], offset: timedelta) -> dict[date, int]:
    """Microseconds per local day of the ended staffed spans of one user's ordered changes."""
    totals: dict[date, int] = {}
    for (at, state), (until, _) in zip(changes, changes[1:], strict=False):
        if state in STAFFED_STATES:
            for day, microseconds in day_pieces(at, until, offset):
                totals[day] = totals.get(day, 0) + microseconds
    return totals


def _order(change) -> tuple:
    return (change.changed_at, change.id)


def _window(session, user_id: int, first, last) -> list:
    """The user's changes from the one before `first` to the one after `last` (by time, then
    id), both included when they exist."""
    columns = (PresenceChange.id, PresenceChange.state, PresenceChange.changed_at)
    mine = PresenceChange.user_id == user_id
    before = session.execute(
        select(*columns)
        .where(mine, or_(PresenceChange.changed_at < first.changed_at, and_(PresenceChange.changed_at == first.changed_at, PresenceChange.id < first.id)))
        .order_by(PresenceChange.changed_at.desc(), PresenceChange.id.desc())
        .limit(1)
    ).first()
    after = session.execute(
        select(*columns)
        .where(mine, or_(PresenceChange.changed_at > last.changed_at, and_(PresenceChange.changed_at == last.changed_at, PresenceChange.id > last.id)))
        .order_by(PresenceChange.changed_at, PresenceChange.id)
        .limit(1)
    ).first()
    lower = before.changed_at if before is not None else first.changed_at
    query = select(*columns).where(mine, PresenceChange.changed_at >= lower)
    if after is not None:
        query = query.where(PresenceChange.changed_at <= after.changed_at)
    rows = session.execute(query).all()
    low = _order(before) if before is not None else _order(first)
    high = _order(after) if after is not None else _order(last)
    return sorted((row for row in rows if low <= _order(row) <= high), key=_order)


def add_presence_days(session, user_id: int, microseconds_by_day: dict[date, int]) -> None:
    table = PresenceDay.__table__
    for day, microseconds in sorted(microseconds_by_day.items()):
        if microseconds == 0:
            continue
        statement = insert(table, dialect_name_of(session)).values(user_id=user_id, day=day, staffed_microseconds=microseconds)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["user_id", "day"],
                set_={"staffed_microseconds": table.c.staffed_microseconds + statement.excluded.staffed_microseconds},
            )
        )


def dialect_name_of(session) -> str:
    return session.get_bind().dialect.name


def count_new_changes(session, changes: list[PresenceChange]) -> None:
    """Re-count the spans the new changes of one user cut or join: the difference between the
    user's spans with and without them, over the window they touch."""
    offset_minutes = rollup_offset(session)
    if offset_minutes is None:
        return
    offset = timedelta(minutes=offset_minutes)
    new_ids = {change.id for change in changes}
    ordered = sorted(changes, key=_order)
    window = _window(session, ordered[0].user_id, ordered[0], ordered[-1])
    with_new = staffed_by_day([(row.changed_at, row.state) for row in window], offset)
    without = staffed_by_day([(row.changed_at, row.state) for row in window if row.id not in new_ids], offset)
    difference = {day: with_new.get(day, 0) - without.get(day, 0) for day in set(with_new) | set(without)}
    add_presence_days(session, ordered[0].user_id, difference)


@event.listens_for(db.session, "after_flush")
def _count_presence_changes(session, flush_context) -> None:
    inserted = [change for change in session.new if isinstance(change, PresenceChange)]
    by_user: dict[int, list[PresenceChange]] = {}
    for change in inserted:
        by_user.setdefault(change.user_id, []).append(change)
    for changes in by_user.values():
        count_new_changes(session, changes)
