"""The headline KPIs of a period: offered, answered, abandoned, service level, speeds and times.

Definitions (shown on the report page too):

- A call belongs to the period in which it reached the queue (`enqueued_at`); calls that never
  reached it (IVR drop-offs) are not offered.
- answered: offered calls a counselor answered (`answered_at` set): a counselor we dialed
  picked up, or the provider bridged the caller straight from the queue (someone dequeued them
  with `<Dial><Queue>`), answering them on leaving it, `QueueTime` after entering it
  (`call_merge.answer_time`); their wait is that `QueueTime`.
- short abandon: a caller who hung up in the queue within `short_abandon_seconds`; counted
  apart, and left out of abandoned and of the service level's denominator.
- abandoned: the other callers who hung up in the queue (an unknown wait counts as long).
- service level: answered within `service_level_seconds` ÷ (offered − short abandons); an
  answered call whose wait is unknown is not within the threshold. 0 with no calls.
- average speed of answer: mean wait of answered calls; average handle time: mean talk plus
  wrap-up (none counts as 0) of answered calls with a talk time (nothing tells a bridged call's);
  average wrap-up: over calls that have one.
- repeat-caller rate: repeat callers ÷ offered; danger-now service level: the service level
  of callers who pressed the danger-now key.
"""

from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import Text, and_, case, cast, func, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from helpline.db import db, dialect_name
from helpline.models import Call
from helpline.reports.rollup_tables import CallCategoryDay, CallDay, CounselorDay
from helpline.reports.rollups import RollupDays, days_covered, in_days, with_deltas
from helpline.reports.sql import category_keys

UNCATEGORISED = "uncategorised"


def offered_in(start_utc: datetime, end_utc: datetime) -> tuple[ColumnElement, ...]:
    """Calls that reached the queue in [start, end): the rows every report counts."""
    return (Call.enqueued_at >= start_utc, Call.enqueued_at < end_utc)


def _count(condition) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _mean(condition, value) -> ColumnElement:
    return func.avg(case((condition, value), else_=None))


def is_answered() -> ColumnElement:
    return Call.answered_at.isnot(None)


def is_short_abandon(short_abandon_seconds: int) -> ColumnElement:
    return and_(Call.abandoned.is_(True), Call.wait_seconds < short_abandon_seconds)


def is_abandoned(short_abandon_seconds: int) -> ColumnElement:
    return and_(Call.abandoned.is_(True), or_(Call.wait_seconds.is_(None), Call.wait_seconds >= short_abandon_seconds))


def is_answered_within(service_level_seconds: int) -> ColumnElement:
    return and_(is_answered(), Call.wait_seconds <= service_level_seconds)


def counting_columns(*, service_level_seconds: int, short_abandon_seconds: int) -> list[ColumnElement]:
    """offered, answered, abandoned, short abandons and answered within T, labelled; the
    counts every grouping of the service level needs."""
    return [
        func.count().label("offered"),
        _count(is_answered()).label("answered"),
        _count(is_abandoned(short_abandon_seconds)).label("abandoned"),
        _count(is_short_abandon(short_abandon_seconds)).label("short_abandons"),
        _count(is_answered_within(service_level_seconds)).label("answered_within_threshold"),
    ]


def ratio(part, whole) -> float:
    return float(part) / float(whole) if whole else 0.0


def service_level(answered_within: int, offered: int, short_abandons: int) -> float:
    return ratio(answered_within, offered - short_abandons)


def seconds(value) -> float | None:
    return None if value is None else float(value)


def kpi_counts(start_utc: datetime, end_utc: datetime, *, service_level_seconds: int, short_abandon_seconds: int) -> dict:
    """One pass over the period's calls: every count and mean of the summary."""
    talk_and_wrap_up = Call.talk_seconds + func.coalesce(Call.wrap_up_seconds, 0)
    danger_now = Call.emergency.is_(True)
    return db.session.execute(
        select(
            *counting_columns(service_level_seconds=service_level_seconds, short_abandon_seconds=short_abandon_seconds),
            _mean(is_answered(), Call.wait_seconds).label("average_speed_of_answer"),
            _mean(is_answered(), talk_and_wrap_up).label("average_handle_time"),
            _mean(and_(is_answered(), Call.wrap_up_seconds.isnot(None)), Call.wrap_up_seconds).label("average_wrap_up"),
            _count(Call.repeat_caller.is_(True)).label("repeat_callers"),
            _count(danger_now).label("danger_now_offered"),
            _count(and_(danger_now, is_short_abandon(short_abandon_seconds))).label("danger_now_short_abandons"),
            _count(and_(danger_now, is_answered_within(service_level_seconds))).label("danger_now_answered_within_threshold"),
        ).where(*offered_in(start_utc, end_utc))
    ).one()._asdict()


# The same counts from the rollups (CallDay or CallHour): `calls` weighs each row; a wait of -1
# is unknown.
def _calls_where(table, condition) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, table.calls), else_=0)), 0)


def rolled_up_short_abandon(table, short_abandon_seconds: int) -> ColumnElement:
    return and_(table.abandoned.is_(True), table.wait_seconds >= 0, table.wait_seconds < short_abandon_seconds)


def rolled_up_abandoned(table, short_abandon_seconds: int) -> ColumnElement:
    return and_(table.abandoned.is_(True), or_(table.wait_seconds < 0, table.wait_seconds >= short_abandon_seconds))


def rolled_up_answered_within(table, service_level_seconds: int) -> ColumnElement:
    return and_(table.answered.is_(True), table.wait_seconds >= 0, table.wait_seconds <= service_level_seconds)


def rolled_up_counting_columns(table, *, service_level_seconds: int, short_abandon_seconds: int) -> list[ColumnElement]:
    """counting_columns over a rollup of the calls."""
    return [
        func.coalesce(func.sum(table.calls), 0).label("offered"),
        _calls_where(table, table.answered.is_(True)).label("answered"),
        _calls_where(table, rolled_up_abandoned(table, short_abandon_seconds)).label("abandoned"),
        _calls_where(table, rolled_up_short_abandon(table, short_abandon_seconds)).label("short_abandons"),
        _calls_where(table, rolled_up_answered_within(table, service_level_seconds)).label("answered_within_threshold"),
    ]


def mean_of(total, count) -> float | None:
    return float(total) / float(count) if count else None


def rolled_up_kpi_counts(days: RollupDays, *, service_level_seconds: int, short_abandon_seconds: int) -> dict:
    """kpi_counts from `call_days` (the counts) and `counselor_days` (the means)."""
    call_days, counselor_days = with_deltas(db.session, CallDay), with_deltas(db.session, CounselorDay)
    danger_now = call_days.emergency.is_(True)
    counts = db.session.execute(
        select(
            *rolled_up_counting_columns(call_days, service_level_seconds=service_level_seconds, short_abandon_seconds=short_abandon_seconds),
            func.coalesce(func.sum(call_days.repeat_callers), 0).label("repeat_callers"),
            _calls_where(call_days, danger_now).label("danger_now_offered"),
            _calls_where(call_days, and_(danger_now, rolled_up_short_abandon(call_days, short_abandon_seconds))).label("danger_now_short_abandons"),
            _calls_where(call_days, and_(danger_now, rolled_up_answered_within(call_days, service_level_seconds))).label(
                "danger_now_answered_within_threshold"
            ),
        ).where(*in_days(call_days, days))
    ).one()._asdict()
    sums = db.session.execute(
        select(
            func.sum(counselor_days.wait_seconds).label("wait"), func.sum(counselor_days.waits).label("waits"),
            func.sum(counselor_days.handle_seconds).label("handle"), func.sum(counselor_days.timed_calls).label("timed"),
            func.sum(counselor_days.wrap_up_seconds).label("wrap_up"), func.sum(counselor_days.wrap_ups).label("wrap_ups"),
        ).where(*in_days(counselor_days, days))
    ).one()  # fmt: skip
    return {
        **counts,
        "average_speed_of_answer": mean_of(sums.wait, sums.waits),
        "average_handle_time": mean_of(sums.handle, sums.timed),
        "average_wrap_up": mean_of(sums.wrap_up, sums.wrap_ups),
    }


def category_mentions(start_utc: datetime, end_utc: datetime, *by: ColumnElement):
    """Each category of each offered call's log (or its queue category when the log has none),
    counted with the columns `by`: a call logged under two categories counts once in each.

    Calls are first grouped by their list of categories (a few thousand distinct lists in a
    year), so each list's JSON is expanded once rather than once per call."""
    calls = (
        select(cast(Call.categories, Text).label("logged"), Call.category.label("queue_category"), *by, func.count().label("calls"))
        .where(*offered_in(start_utc, end_utc))
        .group_by(cast(Call.categories, Text), Call.category, *by)
        .subquery()
    )
    keys = category_keys(calls.c.logged, calls.c.queue_category, dialect_name())
    grouped_by = [calls.c[column.key] for column in by]
    return (
        select(keys.c.value.label("category"), *grouped_by, func.sum(calls.c.calls).label("calls"))
        .select_from(calls)
        .join(keys, true())
        .group_by(keys.c.value, *grouped_by)
    )


def rolled_up_category_mentions(days: RollupDays, *by: str):
    """category_mentions from `call_category_days`, also counted by its columns named `by`
    ("" for none)."""
    category_days = with_deltas(db.session, CallCategoryDay)
    by = [getattr(category_days, name) for name in by]
    mentions = func.sum(category_days.calls)
    return (
        select(category_days.category, *by, mentions.label("calls"))
        .where(*in_days(category_days, days))
        .group_by(category_days.category, *by)
        .having(mentions > 0)
    )


def category_counts(start_utc: datetime, end_utc: datetime) -> dict[str, int]:
    days = days_covered(db.session, start_utc, end_utc)
    query = category_mentions(start_utc, end_utc) if days is None else rolled_up_category_mentions(days)
    rows = db.session.execute(query).all()
    counts = {(key or UNCATEGORISED): int(count) for key, count in rows}
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def summarize(start_utc: datetime, end_utc: datetime, *, service_level_seconds: int, short_abandon_seconds: int) -> dict:
    """The KPIs of the calls that reached the queue in [start_utc, end_utc): from the rollups
    when the period is whole local days of theirs, from the calls otherwise."""
    thresholds = {"service_level_seconds": service_level_seconds, "short_abandon_seconds": short_abandon_seconds}
    days = days_covered(db.session, start_utc, end_utc)
    counts = kpi_counts(start_utc, end_utc, **thresholds) if days is None else rolled_up_kpi_counts(days, **thresholds)
    row = SimpleNamespace(**counts)
    offered = int(row.offered)
    return {
        "offered": offered,
        "answered": int(row.answered),
        "abandoned": int(row.abandoned),
        "short_abandons": int(row.short_abandons),
        "answered_within_threshold": int(row.answered_within_threshold),
        "service_level": service_level(row.answered_within_threshold, offered, row.short_abandons),
        "abandonment_rate": ratio(row.abandoned, offered - row.short_abandons),
        "average_speed_of_answer": seconds(row.average_speed_of_answer),
        "average_handle_time": seconds(row.average_handle_time),
        "average_wrap_up": seconds(row.average_wrap_up),
        "repeat_callers": int(row.repeat_callers),
        "repeat_caller_rate": ratio(row.repeat_callers, offered),
        "danger_now_offered": int(row.danger_now_offered),
        "danger_now_service_level": service_level(
            row.danger_now_answered_within_threshold, row.danger_now_offered, row.danger_now_short_abandons
        ),
        "by_category": category_counts(start_utc, end_utc),
        "service_level_seconds": service_level_seconds,
        "short_abandon_seconds": short_abandon_seconds,
    }
