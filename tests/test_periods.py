"""The helpline's calendar: local days as a UTC interval, the `from`/`to` parameters, pages."""

from datetime import UTC, date, datetime

import pytest

from helpline.periods import ArgumentError, Page, Period, local_today, parse_period, parse_whole_number

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
    with pytest.raises(ArgumentError) as refused:
        parse_period(first, last, today=TODAY, utc_offset_minutes=210, max_days=366)
    assert refused.value.parameter == parameter and str(refused.value).startswith(f"{parameter}: ")


def test_a_period_has_no_longest_unless_asked():
    period = parse_period("2020-01-01", "2024-01-01", today=TODAY, utc_offset_minutes=210)
    assert (period.first, period.last) == (date(2020, 1, 1), date(2024, 1, 1))


def test_a_one_day_default_is_today_or_the_day_asked():
    assert parse_period(None, None, today=TODAY, utc_offset_minutes=0, default_days=1).days == [TODAY]
    assert parse_period(None, "2024-02-10", today=TODAY, utc_offset_minutes=0, default_days=1).days == [date(2024, 2, 10)]


@pytest.mark.parametrize(("value", "expected"), [(None, 3), ("", 3), ("1", 1), ("200", 200)])
def test_whole_numbers(value, expected):
    assert parse_whole_number("per_page", value, 3, 200) == expected


@pytest.mark.parametrize("value", ["0", "201", "x", "1.5", "²", "-1"])
def test_bad_whole_numbers_name_the_parameter(value):
    with pytest.raises(ArgumentError) as refused:
        parse_whole_number("per_page", value, 3, 200)
    assert str(refused.value) == "per_page: must be a whole number from 1 to 200"


def test_pages():
    assert (Page(3, 50).offset, Page(1, 50).count(0), Page(1, 50).count(101)) == (100, 1, 3)


def test_errors_are_worded_for_pages_in_the_readers_language(app):
    with app.test_request_context(headers={"Accept-Language": "fa"}):
        with pytest.raises(ArgumentError) as refused:
            parse_period("2024-03-02", "2024-03-01", today=TODAY, utc_offset_minutes=210)
        assert str(refused.value) == "to: must not be before from"
        assert refused.value.worded() == "پایان دوره نباید پیش از آغاز آن باشد."


def test_a_period_too_long_is_worded_too(app):
    with app.test_request_context(headers={"Accept-Language": "fa"}):
        with pytest.raises(ArgumentError) as refused:
            parse_period("2023-01-01", "2024-01-02", today=TODAY, utc_offset_minutes=210, max_days=366)
        assert refused.value.worded() == "دوره نباید بیش از 366 روز باشد."
