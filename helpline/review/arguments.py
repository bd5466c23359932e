"""The review pages' query strings: periods of the helpline's local days, and page numbers.

The helpline's days are local days (a fixed offset from UTC, `HELPLINE_UTC_OFFSET_MINUTES`),
as in the reports, so a period and "today" mean what the people on the line mean by them.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask import abort, current_app, request
from flask_babel import gettext as _

from helpline import clock

DEFAULT_PERIOD_DAYS = 7
PER_PAGE = 50
MAX_PER_PAGE = 200
# Bounded so an absurd page number is a 400, not an overflowing OFFSET.
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    zone: timezone

    @property
    def start(self) -> datetime:
        """Local midnight at the start of `first`."""
        return datetime.combine(self.first, time.min, tzinfo=self.zone)

    @property
    def end(self) -> datetime:
        """Local midnight after `last` (excluded)."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=self.zone)


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


def helpline_zone() -> timezone:
    return timezone(timedelta(minutes=current_app.config["HELPLINE_UTC_OFFSET_MINUTES"]))


def local_today() -> date:
    return clock.now().astimezone(helpline_zone()).date()


def day_arg(name: str, default: date) -> date:
    value = request.args.get(name, "")
    if not value:
        return default
    day = clock.plain_date(value)
    if day is None:
        abort(400, _("%(name)s must be a date as YYYY-MM-DD.", name=name))
    if not clock.supported(day):
        abort(400, _("%(name)s must be a day from %(first)s to %(last)s.", name=name, first=clock.FIRST_DAY.isoformat(), last=clock.LAST_DAY.isoformat()))
    return day


def period_args() -> Period:
    """`from` and `to`, local days, both included; by default the last week up to today."""
    today = local_today()
    last = day_arg("to", today)
    first = day_arg("from", last - timedelta(days=DEFAULT_PERIOD_DAYS - 1))
    if last < first:
        abort(400, _("The end of the period must not be before its start."))
    return Period(first, last, helpline_zone())


def whole_number_arg(name: str, default: int, maximum: int) -> int:
    value = request.args.get(name, "")
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= maximum:
        abort(400, _("%(name)s must be a whole number from 1 to %(maximum)d.", name=name, maximum=maximum))
    return int(value)


def page_arg(name: str = "page") -> Page:
    """Page `name` of a list, of `per_page` rows (shared by the lists of one page)."""
    return Page(whole_number_arg(name, 1, MAX_PAGE), whole_number_arg("per_page", PER_PAGE, MAX_PER_PAGE))
