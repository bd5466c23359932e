"""The service's clock, in one place so tests can set the time; and days as people write them."""

import re
from datetime import date, datetime, timezone

PLAIN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The days a query or a form may name. The calendar's own ends overflowed wherever a day became
# a moment (local midnight in UTC, the day after the last) and answered 500: these bounds keep
# every such moment, Jalali date and database timestamp well inside what each can hold, and
# every day a helpline's records or plans can name inside them.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
SUPPORTED_DAYS = f"from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"


def now() -> datetime:
    return datetime.now(timezone.utc)


def plain_date(value) -> date | None:
    """A day written YYYY-MM-DD, else None. Only that form: `date.fromisoformat` also takes week
    dates (2026-W49-1) and YYYYMMDD, which no form or query of ours asks for."""
    if not isinstance(value, str) or not PLAIN_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def supported(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY
