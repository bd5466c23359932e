"""The period of a report: local days as a UTC interval, and the `from`/`to` parameters (pure)."""

from datetime import UTC, date, datetime

import pytest

from helpline.reports.period import Period, PeriodError, local_today, parse_period

TODAY = date(2024, 3, 11)


def test_a_period_is_whole_local_days_in_utc():
    period = Period(date(2024, 3, 11), date(2024, 3, 12), 210)
    assert period.start_utc == datetime(2024, 3, 10, 20, 30, tzinfo=UTC)
    assert period.end_utc == datetime(2024, 3, 12, 20, 30, tzinfo=UTC)
    assert period.days == [date(2024, 3, 11), date(2024, 3, 12)]
    # Tajikistan, UTC+05:00.
    assert Period(TODAY, TODAY, 300).start_utc == datetime(2024, 3, 10, 19, 0, tzinfo=UTC)


def test_the_local_day_turns_at_local_midnight():
    assert local_today(datetime(2024, 3, 10, 20, 29, 59, tzinfo=UTC), 210) == date(2024, 3, 10)
    assert local_today(datetime(2024, 3, 10, 20, 30, tzinfo=UTC), 210) == date(2024, 3, 11)


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (None, None, (date(2024, 3, 5), TODAY)),
        ("2024-03-01", None, (date(2024, 3, 1), TODAY)),
        (None, "2024-02-10", (date(2024, 2, 4), date(2024, 2, 10))),
        ("2024-04-01", None, (date(2024, 4, 1), date(2024, 4, 1))),
        ("2024-01-01", "2024-12-31", (date(2024, 1, 1), date(2024, 12, 31))),
    ],
)
def test_defaults(first, last, expected):
    period = parse_period(first, last, today=TODAY, utc_offset_minutes=210)
    assert (period.first, period.last, period.utc_offset_minutes) == (*expected, 210)


@pytest.mark.parametrize(
    ("first", "last", "parameter"),
    [("2024-02-30", None, "from"), ("2024-3-1", None, "from"), (None, "tomorrow", "to"), ("2024-03-02", "2024-03-01", "to"),
     ("2023-01-01", "2024-01-02", "to")],
)  # fmt: skip
def test_bad_periods_name_the_parameter(first, last, parameter):
    with pytest.raises(PeriodError) as refused:
        parse_period(first, last, today=TODAY, utc_offset_minutes=210)
    assert refused.value.parameter == parameter and str(refused.value).startswith(f"{parameter}: ")
