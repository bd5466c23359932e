"""The service's clock, in one place so tests can set the time."""

from datetime import datetime, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)
