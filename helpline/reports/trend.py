"""The daily trend over a period: per local day, the counts and the service level."""

from datetime import date

from sqlalchemy import select

from helpline.db import db, dialect_name
from helpline.models import Call
from helpline.periods import Period
from helpline.reports.rollup_tables import CallDay
from helpline.reports.rollups import days_covered, in_days, with_deltas
from helpline.reports.sql import local_date
from helpline.reports.summary import counting_columns, offered_in, ratio, rolled_up_counting_columns, service_level

COUNTS = ("offered", "answered", "abandoned", "short_abandons", "answered_within_threshold")


def as_date(value) -> date:
    # SQLite gives the text YYYY-MM-DD, PostgreSQL a date.
    return value if isinstance(value, date) else date.fromisoformat(value)


def daily(period: Period, *, service_level_seconds: int, short_abandon_seconds: int) -> list[dict]:
    """Every day of the period, days without calls included (all zero)."""
    thresholds = {"service_level_seconds": service_level_seconds, "short_abandon_seconds": short_abandon_seconds}
    days = days_covered(db.session, period.start_utc, period.end_utc, period.utc_offset_minutes)
    if days is None:
        day = local_date(Call.enqueued_at, period.utc_offset_minutes, dialect_name()).label("day")
        query = select(day, *counting_columns(**thresholds)).where(*offered_in(period.start_utc, period.end_utc)).group_by(day)
    else:
        call_days = with_deltas(db.session, CallDay)
        query = (
            select(call_days.day, *rolled_up_counting_columns(call_days, **thresholds))
            .where(*in_days(call_days, days, by_month=False))
            .group_by(call_days.day)
        )
    rows = db.session.execute(query).all()
    by_day = {as_date(row.day): {name: int(getattr(row, name)) for name in COUNTS} for row in rows}
    trend = []
    for each in period.days:
        counts = by_day.get(each, dict.fromkeys(COUNTS, 0))
        trend.append(
            {
                "date": each.isoformat(),
                **counts,
                "service_level": service_level(counts["answered_within_threshold"], counts["offered"], counts["short_abandons"]),
                "abandonment_rate": ratio(counts["abandoned"], counts["offered"] - counts["short_abandons"]),
            }
        )
    return trend
