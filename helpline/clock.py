"""The service's clock, in one place so tests can set the time; and days as people write them."""

import re
from datetime import date, datetime, timezone

PLAIN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


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
