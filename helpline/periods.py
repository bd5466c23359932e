"""The helpline's calendar, and the query arguments that ask for part of it: days and pages.

The helpline's days are local days (a fixed offset from UTC, `HELPLINE_UTC_OFFSET_MINUTES`; Iran
keeps no daylight saving), so "Monday" runs from Monday 00:00 local to Tuesday 00:00 local. Every
route that takes days (`/api/calls`, the review pages, the reports and their CSV) reads them here,
and the wallboard's "today" and the pages' dates are the same days.

A period is asked for with `from` and `to` (YYYY-MM-DD, both days included), and either may be
left out: by default the last `default_days` days up to today; `to` alone ends there; `from` alone
runs to today (or is that one day, when it is later than today). Lists are paged with `page` and
`per_page`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import TypeVar

from flask import abort, current_app, request
from flask_babel import gettext

from helpline import clock

DEFAULT_DAYS = 7
PER_PAGE = 50
MAX_PER_PAGE = 200
# Bounded so an absurd page number is a 400, not an OFFSET the database cannot hold.
MAX_PAGE = 100_000

T = TypeVar("T")


class ArgumentError(ValueError):
    """A bad query argument: `parameter` names it, `str()` says what it must be (in English, as
    the JSON API answers); `worded()` says it in the reader's language, as pages do."""

    def __init__(self, parameter: str, reason: str, kind: str, **values):
        super().__init__(f"{parameter}: {reason}")
        self.parameter, self.kind, self.values = parameter, kind, values

    def worded(self) -> str:
        values = {"name": self.parameter, **self.values}
        if self.kind == "date":
            return gettext("%(name)s must be a date as YYYY-MM-DD.", **values)
        if self.kind == "supported_day":
            return gettext("%(name)s must be a day from %(first)s to %(last)s.", **values)
        if self.kind == "order":
            return gettext("The end of the period must not be before its start.")
        if self.kind == "whole_number":
            return gettext("%(name)s must be a whole number from 1 to %(maximum)d.", **values)
        if self.kind == "too_long":
            return gettext("The period must not be longer than %(days)d days.", **values)
        return str(self)


@dataclass(frozen=True)
class Period:
    """Whole local days, `first` to `last`, and the half-open UTC interval they cover."""

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


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def count(self, total: int) -> int:
        """How many pages `total` rows fill (at least one, empty)."""
        return max(1, -(-total // self.size))


# The calendar.


def utc_offset_minutes() -> int:
    """The app's offset of local time from UTC."""
    return int(current_app.config["HELPLINE_UTC_OFFSET_MINUTES"])


def zone(offset_minutes: int) -> timezone:
    return timezone(timedelta(minutes=offset_minutes))


def local_day(moment: datetime, offset_minutes: int) -> date:
    """The local day a moment falls on."""
    return moment.astimezone(zone(offset_minutes)).date()


def local_today(now: datetime | None = None, offset_minutes: int | None = None) -> date:
    """Today, the helpline's (by default now, at the app's offset)."""
    return local_day(now or clock.now(), utc_offset_minutes() if offset_minutes is None else offset_minutes)


def today_period(now: datetime | None = None) -> Period:
    """Today as a period, at the app's offset."""
    offset = utc_offset_minutes()
    today = local_today(now, offset)
    return Period(today, today, offset)


# Parsing (pure): what a query's values mean.


def parse_day(parameter: str, value: str) -> date:
    day = clock.plain_date(value)
    if day is None:
        raise ArgumentError(parameter, "must be a date as YYYY-MM-DD", "date")
    if not clock.supported(day):
        raise ArgumentError(
            parameter, f"must be a day {clock.SUPPORTED_DAYS}", "supported_day",
            first=clock.FIRST_DAY.isoformat(), last=clock.LAST_DAY.isoformat(),
        )  # fmt: skip
    return day


def parse_period(
    first: str | None, last: str | None, *, today: date, utc_offset_minutes: int,
    default_days: int = DEFAULT_DAYS, max_days: int | None = None,
) -> Period:  # fmt: skip
    """The period `from` and `to` ask for (either may be missing; see the module's docstring)."""
    last_day = parse_day("to", last) if last else None
    first_day = parse_day("from", first) if first else None
    if last_day is None:
        last_day = today if first_day is None or first_day <= today else first_day
    if first_day is None:
        first_day = last_day - timedelta(days=default_days - 1)
    if last_day < first_day:
        raise ArgumentError("to", "must not be before from", "order")
    if max_days is not None and (last_day - first_day).days + 1 > max_days:
        raise ArgumentError("to", f"the period must not be longer than {max_days} days", "too_long", days=max_days)
    return Period(first_day, last_day, utc_offset_minutes)


def parse_whole_number(parameter: str, value: str | None, default: int, maximum: int) -> int:
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= maximum:
        raise ArgumentError(parameter, f"must be a whole number from 1 to {maximum}", "whole_number", maximum=maximum)
    return int(value)


# The request's arguments.


def requested_period(*, default_days: int = DEFAULT_DAYS, max_days: int | None = None) -> Period:
    """`from` and `to` of the query, in the app's local days; ArgumentError names a bad one."""
    offset = utc_offset_minutes()
    return parse_period(
        request.args.get("from"), request.args.get("to"), today=local_today(offset_minutes=offset),
        utc_offset_minutes=offset, default_days=default_days, max_days=max_days,
    )  # fmt: skip


def requested_page(name: str = "page") -> Page:
    """Page `name` of a list, of `per_page` rows (shared by the lists of one page)."""
    return Page(
        parse_whole_number(name, request.args.get(name), 1, MAX_PAGE),
        parse_whole_number("per_page", request.args.get("per_page"), PER_PAGE, MAX_PER_PAGE),
    )


def or_400(read: Callable[[], T], *, worded: bool = False) -> T:
    """What `read` reads from the query, or 400 saying what is wrong (`worded`: in the reader's
    language, for pages)."""
    try:
        return read()
    except ArgumentError as error:
        abort(400, error.worded() if worded else str(error))


# The query as the OpenAPI document describes it (the views name these in their routes).


def query_parameter(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


# An empty value is no value (a form's empty date field).
DAY_OR_EMPTY = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]}
LIST_PARAMETERS = (
    query_parameter("from", DAY_OR_EMPTY, "First local day (YYYY-MM-DD); `to` by default."),
    query_parameter("to", DAY_OR_EMPTY, "Last local day, included; today by default (or `from`, when later)."),
    query_parameter("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "Page number."),
    query_parameter("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}, f"Calls a page ({PER_PAGE})."),
)
