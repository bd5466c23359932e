"""Category × outcome × risk, local hour and weekday, and the daily trend."""

from datetime import date, timedelta

import pytest

from helpline.periods import Period
from helpline.reports.breakdowns import by_category_outcome_risk, by_hour_and_weekday
from helpline.reports.trend import daily
from tests.support.reports import THRESHOLDS, add_calls, day_bounds, local, make_call, provider_bridged

MONDAY = date(2024, 3, 11)
TUESDAY = MONDAY + timedelta(days=1)


def test_category_outcome_risk(app):
    add_calls(
        app,
        make_call(local(MONDAY, 9), wait_seconds=5, talk_seconds=60, categories=["anxiety", "stress"], outcome="counselled", risk_level="low"),
        make_call(local(MONDAY, 10), wait_seconds=5, talk_seconds=60, categories=["anxiety"], outcome="counselled", risk_level="low"),
        make_call(
            local(MONDAY, 11), wait_seconds=5, talk_seconds=60, categories=["suicide_plan"], outcome="emergency_services_contacted",
            risk_level="imminent",
        ),
        make_call(local(MONDAY, 12), wait_seconds=50, abandoned=True, category="elderly"),
    )
    with app.app_context():
        rows = by_category_outcome_risk(*day_bounds(MONDAY))
    assert rows == [
        {"category": "anxiety", "outcome": "counselled", "risk_level": "low", "calls": 2},
        {"category": "elderly", "outcome": None, "risk_level": None, "calls": 1},
        {"category": "stress", "outcome": "counselled", "risk_level": "low", "calls": 1},
        {"category": "suicide_plan", "outcome": "emergency_services_contacted", "risk_level": "imminent", "calls": 1},
    ]


def test_hours_and_weekdays_are_local(app):
    add_calls(
        app,
        # Monday 23:50 local and Tuesday 00:10 local: either side of local midnight.
        make_call(local(MONDAY, 23, 50), wait_seconds=5, talk_seconds=60),
        make_call(local(TUESDAY, 0, 10), wait_seconds=3, abandoned=True),
        # Tuesday 02:00 local is still Monday 22:30 in UTC.
        make_call(local(TUESDAY, 2), wait_seconds=40, abandoned=True),
        make_call(local(TUESDAY, 2, 30), wait_seconds=10, talk_seconds=60),
    )
    with app.app_context():
        report = by_hour_and_weekday(*day_bounds(MONDAY, TUESDAY), utc_offset_minutes=210, **THRESHOLDS)
    hours = {row["hour"]: row for row in report["hours"]}
    assert len(report["hours"]) == 24 and len(report["weekdays"]) == 7
    assert (hours[23]["offered"], hours[0]["offered"], hours[2]["offered"], hours[22]["offered"]) == (1, 1, 2, 0)
    assert (hours[0]["short_abandons"], hours[2]["abandoned"], hours[2]["answered"]) == (1, 1, 1)
    assert hours[2]["service_level"] == pytest.approx(1 / 2)
    weekdays = {row["day"]: row for row in report["weekdays"]}
    assert (weekdays["monday"]["offered"], weekdays["tuesday"]["offered"], weekdays["sunday"]["offered"]) == (1, 3, 0)
    assert weekdays["monday"]["weekday"] == 1
    assert sorted((cell["weekday"], cell["hour"], cell["offered"]) for cell in report["cells"]) == [(1, 23, 1), (2, 0, 1), (2, 2, 2)]


def test_another_offset_moves_the_hours(app):
    # Tajikistan, UTC+05:00: the same instant is 1 h 30 min later on the clock.
    add_calls(app, make_call(local(MONDAY, 9), wait_seconds=5, talk_seconds=60))
    with app.app_context():
        report = by_hour_and_weekday(*day_bounds(MONDAY), utc_offset_minutes=300, **THRESHOLDS)
    assert [row["hour"] for row in report["hours"] if row["offered"]] == [10]


def test_daily_trend_covers_every_day(app):
    add_calls(
        app,
        make_call(local(MONDAY, 23, 59, 59), wait_seconds=5, talk_seconds=60),
        make_call(local(MONDAY, 12), wait_seconds=50, talk_seconds=60),
        make_call(local(TUESDAY + timedelta(days=1), 0, 0, 0), wait_seconds=5, talk_seconds=60),
        make_call(local(TUESDAY + timedelta(days=1), 0, 0, 1), wait_seconds=2, abandoned=True),
    )
    period = Period(MONDAY - timedelta(days=1), TUESDAY + timedelta(days=1), 210)
    with app.app_context():
        trend = daily(period, **THRESHOLDS)
    assert [day["date"] for day in trend] == ["2024-03-10", "2024-03-11", "2024-03-12", "2024-03-13"]
    assert [day["offered"] for day in trend] == [0, 2, 0, 2]
    assert [day["service_level"] for day in trend] == [0, 0.5, 0, 1.0]
    assert trend[3]["short_abandons"] == 1


def test_bridged_callers_are_answered_in_their_hour_and_on_their_day(app):
    """Bridged straight from the queue: answered, in the hour and on the day they reached it."""
    add_calls(app, make_call(local(MONDAY, 9), wait_seconds=30, abandoned=True))
    provider_bridged(app, local(MONDAY, 9, 20), 12)
    # Answered at 00:00:30 on Tuesday: a Monday call all the same.
    provider_bridged(app, local(MONDAY, 23, 59, 50), 40)
    provider_bridged(app, local(TUESDAY, 9), 5)
    with app.app_context():
        report = by_hour_and_weekday(*day_bounds(MONDAY, TUESDAY), utc_offset_minutes=210, **THRESHOLDS)
        trend = daily(Period(MONDAY, TUESDAY, 210), **THRESHOLDS)
    hours = {row["hour"]: row for row in report["hours"]}
    assert [hours[9][name] for name in ("offered", "answered", "abandoned", "answered_within_threshold")] == [3, 2, 1, 2]
    assert hours[9]["service_level"] == pytest.approx(2 / 3)
    assert (hours[23]["offered"], hours[23]["answered"], hours[23]["service_level"]) == (1, 1, 0)
    weekdays = {row["day"]: row for row in report["weekdays"]}
    assert (weekdays["monday"]["answered"], weekdays["tuesday"]["answered"]) == (2, 1)
    assert [(day["offered"], day["answered"], day["abandoned"]) for day in trend] == [(3, 2, 1), (1, 1, 0)]
    assert [day["service_level"] for day in trend] == [pytest.approx(1 / 3), 1.0]
