"""The period a report covers: whole local days, turned into a half-open UTC interval.

The helpline's days are local days (a fixed offset from UTC, `HELPLINE_UTC_OFFSET_MINUTES`;
Iran keeps no daylight saving), so "Monday" runs from Monday 00:00 local to Tuesday 00:00 local.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from helpline.clock import SUPPORTED_DAYS, plain_date, supported

MAX_DAYS = 366
DEFAULT_DAYS = 7


class PeriodError(ValueError):
    """A bad period; `parameter` names the query parameter at fault."""

    def __init__(self, parameter: str, reason: str):
        super().__init__(f"{parameter}: {reason}")
        self.parameter = parameter


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    utc_offset_minutes: int

    @property
    def offset(self) -> timedelta:
        return timedelta(minutes=self.utc_offset_minutes)

    @property
    def start_utc(self) -> datetime:
        """Local midnight at the start of `first`, in UTC."""
        return datetime.combine(self.first, time.min, tzinfo=UTC) - self.offset

    @property
    def end_utc(self) -> datetime:
        """Local midnight after `last`, in UTC (excluded)."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=UTC) - self.offset

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def as_json(self) -> dict:
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "utc_offset_minutes": self.utc_offset_minutes,
            "start_utc": self.start_utc.isoformat(),
            "end_utc": self.end_utc.isoformat(),
        }


def local_today(now: datetime, utc_offset_minutes: int) -> date:
    return (now.astimezone(UTC) + timedelta(minutes=utc_offset_minutes)).date()


def parse_day(parameter: str, value: str) -> date:
    day = plain_date(value)
    if day is None:
        raise PeriodError(parameter, "must be a date as YYYY-MM-DD")
    if not supported(day):
        raise PeriodError(parameter, f"must be a day {SUPPORTED_DAYS}")
    return day


def parse_period(first: str | None, last: str | None, *, today: date, utc_offset_minutes: int) -> Period:
    """The period from the `from` and `to` parameters (either may be missing): by default the
    last seven days up to today; `to` alone ends there, `from` alone runs to today."""
    last_day = parse_day("to", last) if last else None
    first_day = parse_day("from", first) if first else None
    if last_day is None:
        last_day = today if first_day is None or first_day <= today else first_day
    if first_day is None:
        first_day = last_day - timedelta(days=DEFAULT_DAYS - 1)
    if last_day < first_day:
        raise PeriodError("to", "must not be before from")
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise PeriodError("to", f"the period must not be longer than {MAX_DAYS} days")
    return Period(first_day, last_day, utc_offset_minutes)
