"""Dates, times and numbers in each language: the pure formatting functions on fixed values,
and the Jinja filters that take the language from the request and the offset from the app."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import render_template_string

from helpline.i18n import format_local_date, format_local_datetime, format_local_time, format_number, format_percent, persian_digits, same_site_path

IRAN = 210  # UTC+3:30
TAJIKISTAN = 300  # UTC+5
# Nowruz 1403: 10:35:07 UTC is 14:05:07 in Tehran, on 1 Farvardin 1403.
NOWRUZ = datetime(2024, 3, 20, 10, 35, 7, tzinfo=UTC)


def test_persian_digits_replace_every_latin_digit():
    assert persian_digits("0123456789 x:1") == "۰۱۲۳۴۵۶۷۸۹ x:۱"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fa", "۱ فروردین ۱۴۰۳، ۱۴:۰۵"), ("en", "20 March 2024, 14:05"), ("tg", "20 Март 2024, 14:05")],
)
def test_a_moment_in_each_language(language, expected):
    assert format_local_datetime(NOWRUZ, language, IRAN) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fa", "۱ فروردین ۱۴۰۳، ۱۴:۰۵:۰۷"), ("en", "20 March 2024, 14:05:07"), ("tg", "20 Март 2024, 14:05:07")],
)
def test_a_moment_with_seconds(language, expected):
    assert format_local_datetime(NOWRUZ, language, IRAN, seconds=True) == expected


def test_iso_strings_and_naive_moments_are_utc_unless_they_say_otherwise():
    assert format_local_datetime("2024-03-20T10:35:07Z", "en", IRAN) == "20 March 2024, 14:05"
    assert format_local_datetime("2024-03-20T10:35:07.123456+00:00", "en", IRAN) == "20 March 2024, 14:05"
    assert format_local_datetime("2024-03-20T14:05:07+03:30", "en", TAJIKISTAN) == "20 March 2024, 15:35"
    assert format_local_datetime(datetime(2024, 3, 20, 10, 35), "en", IRAN) == "20 March 2024, 14:05"
    assert format_local_datetime("2024-03-20T10:35:07", "fa", IRAN) == "۱ فروردین ۱۴۰۳، ۱۴:۰۵"


def test_the_local_day_can_be_the_next_one():
    late = datetime(2024, 3, 20, 21, 0, tzinfo=UTC)  # 00:30 on 21 March in Tehran
    assert format_local_datetime(late, "fa", IRAN) == "۲ فروردین ۱۴۰۳، ۰۰:۳۰"
    assert format_local_date(late, "en", IRAN) == "21 March 2024"
    assert format_local_date(late, "en", 0) == "20 March 2024"
    assert format_local_time(late, "tg", TAJIKISTAN) == "02:00"


@pytest.mark.parametrize(
    ("language", "expected"), [("fa", "۱ فروردین ۱۴۰۳"), ("en", "20 March 2024"), ("tg", "20 Март 2024")]
)
def test_a_date_in_each_language(language, expected):
    assert format_local_date(NOWRUZ, language, IRAN) == expected


def test_a_calendar_date_is_never_moved_by_the_offset():
    assert format_local_date(date(2024, 3, 20), "en", -600) == "20 March 2024"
    assert format_local_date("2024-03-20", "en", 600) == "20 March 2024"
    assert format_local_date(date(2024, 3, 19), "fa", IRAN) == "۲۹ اسفند ۱۴۰۲"


def test_the_jalali_calendar_has_its_leap_years_and_every_month():
    assert format_local_date(date(2025, 3, 20), "fa", IRAN) == "۳۰ اسفند ۱۴۰۳"  # 1403 is a leap year
    assert format_local_date(date(2025, 3, 21), "fa", IRAN) == "۱ فروردین ۱۴۰۴"
    months = [format_local_date(date(2024, month, 25), "fa", IRAN).split()[1] for month in range(1, 13)]
    assert months == ["بهمن", "اسفند", "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی"]


def test_tajik_month_names():
    months = [format_local_date(date(2024, month, 1), "tg", 0).split()[1] for month in range(1, 13)]
    assert months == ["Январ", "Феврал", "Март", "Апрел", "Май", "Июн", "Июл", "Август", "Сентябр", "Октябр", "Ноябр", "Декабр"]


def test_times_alone():
    assert format_local_time(NOWRUZ, "fa", IRAN) == "۱۴:۰۵"
    assert format_local_time(NOWRUZ, "fa", IRAN, seconds=True) == "۱۴:۰۵:۰۷"
    assert format_local_time(NOWRUZ, "en", IRAN, seconds=True) == "14:05:07"


@pytest.mark.parametrize(
    ("value", "language", "expected"),
    [
        (1234.5, "fa", "۱٬۲۳۴٫۵"),
        (1234.5, "en", "1,234.5"),
        (1234.5, "tg", "1\xa0234,5"),
        (1234567, "fa", "۱٬۲۳۴٬۵۶۷"),
        (0, "fa", "۰"),
        (0.125, "en", "0.13"),  # halves round up
        (0.125, "fa", "۰٫۱۳"),
        (Decimal("2.50"), "en", "2.5"),
        (7, "tg", "7"),
    ],
)
def test_numbers(value, language, expected):
    assert format_number(value, language) == expected


def test_numbers_with_fewer_decimals():
    assert format_number(123.456, "fa", decimals=0) == "۱۲۳"
    assert format_number(123.456, "en", decimals=1) == "123.5"


@pytest.mark.parametrize(
    ("ratio", "language", "expected"),
    [
        (0.825, "fa", "۸۲٫۵٪"),
        (0.825, "en", "82.5%"),
        (0.825, "tg", "82,5%"),
        (1, "fa", "۱۰۰٪"),
        (0, "en", "0%"),
        (0.8, "en", "80%"),
        (2 / 3, "en", "66.7%"),
    ],
)
def test_percentages(ratio, language, expected):
    assert format_percent(ratio, language) == expected


@pytest.mark.parametrize(
    "target",
    ["/dashboard", "/reports?from=2024-03-01&to=2024-03-20", "/review/calls/CA1#log"],
)
def test_same_site_paths_are_kept(target):
    assert same_site_path(target) == target


@pytest.mark.parametrize(
    "target",
    [None, "", "dashboard", "https://evil.example/", "//evil.example/x", "/\\evil.example", "\\\\evil.example",
     "/\t/evil.example", "/\n/evil.example", "javascript:alert(1)", "http:/evil.example", "/ /x"],
)
def test_other_sites_and_odd_paths_are_refused(target):
    assert same_site_path(target) is None


# ---------------------------------------------------------------------------------------
# The filters, in a request


def render(app, source: str, language: str = "fa", **values) -> str:
    with app.test_request_context(headers={"Accept-Language": language}):
        return render_template_string(source, **values)


def test_the_filters_follow_the_page_language(app):
    source = (
        "{{ moment|local_datetime }} | {{ moment|local_date }} | {{ moment|local_time(seconds=True) }}"
        " | {{ 1234.5|local_number }} | {{ 0.825|local_percent }}"
    )
    assert render(app, source, "fa", moment=NOWRUZ) == "۱ فروردین ۱۴۰۳، ۱۴:۰۵ | ۱ فروردین ۱۴۰۳ | ۱۴:۰۵:۰۷ | ۱٬۲۳۴٫۵ | ۸۲٫۵٪"
    assert render(app, source, "en", moment=NOWRUZ) == "20 March 2024, 14:05 | 20 March 2024 | 14:05:07 | 1,234.5 | 82.5%"
    assert render(app, source, "tg", moment=NOWRUZ) == "20 Март 2024, 14:05 | 20 Март 2024 | 14:05:07 | 1\xa0234,5 | 82,5%"


def test_the_filters_use_the_helplines_offset(app):
    app.config["HELPLINE_UTC_OFFSET_MINUTES"] = TAJIKISTAN
    assert render(app, "{{ moment|local_datetime }}", "en", moment=NOWRUZ) == "20 March 2024, 15:35"


def test_the_filters_show_nothing_for_nothing(app):
    source = "[{{ none|local_datetime }}{{ none|local_date }}{{ none|local_time }}{{ none|local_number }}{{ none|local_percent }}]"
    assert render(app, source, none=None) == "[]"


def test_the_filters_take_iso_strings_and_dates(app):
    assert render(app, "{{ '2024-03-20T10:35:07+00:00'|local_datetime }}", "en") == "20 March 2024, 14:05"
    assert render(app, "{{ day|local_date }}", "fa", day=date(2025, 3, 20)) == "۳۰ اسفند ۱۴۰۳"
