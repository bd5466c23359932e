"""The summary KPIs against hand-computed fixtures (run on SQLite and on PostgreSQL)."""

from datetime import date, timedelta

import pytest

from helpline.db import db
from helpline.reports.rollups import days_covered
from helpline.reports.summary import summarize
from tests.support.reports import THRESHOLDS, add_calls, day_bounds, local, make_call, provider_bridged

DAY = date(2024, 3, 11)


def summary_of(app, first: date = DAY, last: date | None = None) -> dict:
    with app.app_context():
        return summarize(*day_bounds(first, last), **THRESHOLDS)


def mixed_day(app) -> None:
    """Eight offered calls on DAY, an IVR drop-off and a call the day before."""
    def at(hour):
        return local(DAY, hour)
    add_calls(
        app,
        # 1: answered in 10 s, talk 300 + wrap-up 60, logged under two categories, a repeat caller.
        make_call(at(9), wait_seconds=10, talk_seconds=300, wrap_up_seconds=60, categories=["anxiety", "stress"], repeat_caller=True),
        # 2: answered in 30 s (over T), not logged yet: counts under its queue category.
        make_call(at(10), wait_seconds=30, talk_seconds=200, category="children_family"),
        # 3: a short abandon (3 s < 5 s); 4 and 5: abandoned (40 s, and an unknown wait).
        make_call(at(11), wait_seconds=3, abandoned=True),
        make_call(at(12), wait_seconds=40, abandoned=True),
        make_call(at(13), wait_seconds=None, abandoned=True, category="elderly"),
        # 6: danger now, answered in exactly T, wrap-up 0.
        make_call(at(14), wait_seconds=20, talk_seconds=100, wrap_up_seconds=0, emergency=True, category="suicide_self_harm", categories=["suicidal_thoughts"]),
        # 7: danger now, a short abandon; 8: danger now, abandoned after 50 s.
        make_call(at(15), wait_seconds=2, abandoned=True, emergency=True, category="suicide_self_harm"),
        make_call(at(16), wait_seconds=50, abandoned=True, emergency=True, category="suicide_self_harm"),
        make_call(None, started_at=at(17), category=None),
        make_call(local(DAY - timedelta(days=1), 12), wait_seconds=5, talk_seconds=50),
    )


def test_kpis_of_a_mixed_day(app):
    mixed_day(app)
    summary = summary_of(app)
    assert (summary["offered"], summary["answered"], summary["abandoned"], summary["short_abandons"]) == (8, 3, 3, 2)
    assert summary["answered_within_threshold"] == 2
    assert summary["service_level"] == pytest.approx(2 / 6)
    assert summary["abandonment_rate"] == pytest.approx(3 / 6)
    assert summary["average_speed_of_answer"] == pytest.approx(20.0)
    assert summary["average_handle_time"] == pytest.approx((360 + 200 + 100) / 3)
    assert summary["average_wrap_up"] == pytest.approx(30.0)
    assert summary["repeat_caller_rate"] == pytest.approx(1 / 8)
    assert summary["danger_now_offered"] == 3
    assert summary["danger_now_service_level"] == pytest.approx(1 / 2)
    assert summary["by_category"] == {
        "counselling": 2,
        "suicide_self_harm": 2,
        "anxiety": 1,
        "children_family": 1,
        "elderly": 1,
        "stress": 1,
        "suicidal_thoughts": 1,
    }


def test_callers_the_provider_bridged_from_the_queue_are_answered(app):
    """Someone dequeued them with `<Dial><Queue>`: answered on leaving the queue, so their wait
    (QueueTime) is their speed of answer, and counts for the service level."""
    def at(hour):
        return local(DAY, hour)
    add_calls(
        app,
        # Answered by a counselor the service dialed, in 10 s: talk 300 + wrap-up 60.
        make_call(at(9), wait_seconds=10, talk_seconds=300, wrap_up_seconds=60),
        # Abandoned after 40 s; a short abandon after 3 s.
        make_call(at(10), wait_seconds=40, abandoned=True),
        make_call(at(11), wait_seconds=3, abandoned=True),
    )
    # Bridged after 15 s (within T), after 45 s (over it), and a danger-now caller after 8 s.
    provider_bridged(app, at(12), 15)
    provider_bridged(app, at(13), 45, digits="2")
    provider_bridged(app, at(14), 8, digits="9")
    start, end = day_bounds(DAY)
    # From the rollups (whole local days), and from the calls (a second before midnight).
    for bounds, rolled_up in (((start, end), True), ((start - timedelta(seconds=1), end), False)):
        with app.app_context():
            assert (days_covered(db.session, *bounds) is not None) is rolled_up
            summary = summarize(*bounds, **THRESHOLDS)
        assert (summary["offered"], summary["answered"], summary["abandoned"], summary["short_abandons"]) == (6, 4, 1, 1)
        assert summary["answered_within_threshold"] == 3
        assert summary["service_level"] == pytest.approx(3 / 5)
        assert summary["abandonment_rate"] == pytest.approx(1 / 5)
        # (10 + 15 + 45 + 8) / 4
        assert summary["average_speed_of_answer"] == pytest.approx(19.5)
        # Nothing tells the talk time of a bridged call: handle time and wrap-up are the dialed call's.
        assert summary["average_handle_time"] == pytest.approx(360.0)
        assert summary["average_wrap_up"] == pytest.approx(60.0)
        assert (summary["danger_now_offered"], summary["danger_now_service_level"]) == (1, 1.0)
        assert summary["repeat_callers"] == 0
        assert summary["by_category"] == {"counselling": 4, "children_family": 1, "suicide_self_harm": 1}


def test_no_calls(app):
    summary = summary_of(app)
    assert summary["offered"] == summary["answered"] == summary["abandoned"] == summary["short_abandons"] == 0
    assert summary["service_level"] == 0 and summary["repeat_caller_rate"] == 0 and summary["danger_now_service_level"] == 0
    assert summary["average_speed_of_answer"] is None and summary["average_handle_time"] is None
    assert summary["by_category"] == {}


def test_all_abandoned(app):
    add_calls(app, *(make_call(local(DAY, 8, n), wait_seconds=60, abandoned=True) for n in range(4)))
    summary = summary_of(app)
    assert (summary["offered"], summary["answered"], summary["abandoned"]) == (4, 0, 4)
    assert summary["service_level"] == 0 and summary["abandonment_rate"] == 1
    assert summary["average_speed_of_answer"] is None


def test_only_short_abandons_leave_no_service_level_denominator(app):
    add_calls(app, make_call(local(DAY, 8), wait_seconds=0, abandoned=True), make_call(local(DAY, 9), wait_seconds=4, abandoned=True))
    summary = summary_of(app)
    assert (summary["offered"], summary["abandoned"], summary["short_abandons"], summary["service_level"]) == (2, 0, 2, 0)


def test_a_wait_of_exactly_the_short_abandon_threshold_is_abandoned(app):
    add_calls(app, make_call(local(DAY, 8), wait_seconds=5, abandoned=True), make_call(local(DAY, 9), wait_seconds=4, abandoned=True))
    summary = summary_of(app)
    assert (summary["abandoned"], summary["short_abandons"]) == (1, 1)


def test_the_period_is_whole_local_days(app):
    # 23:59:59 local belongs to DAY; 00:00:00 local the next day does not. 00:30 local on DAY
    # is still the day before in UTC (21:00), and belongs to DAY.
    add_calls(
        app,
        make_call(local(DAY, 0, 0, 0), wait_seconds=1, talk_seconds=10),
        make_call(local(DAY, 0, 30), wait_seconds=1, talk_seconds=10),
        make_call(local(DAY, 23, 59, 59), wait_seconds=1, talk_seconds=10),
        make_call(local(DAY + timedelta(days=1), 0, 0, 0), wait_seconds=1, talk_seconds=10),
        make_call(local(DAY, 0, 0, 0) - timedelta(seconds=1), wait_seconds=1, talk_seconds=10),
    )
    assert summary_of(app)["offered"] == 3
    assert summary_of(app, DAY + timedelta(days=1))["offered"] == 1
    assert summary_of(app, DAY - timedelta(days=1), DAY + timedelta(days=1))["offered"] == 5


def test_danger_now_service_level_counts_only_danger_now_callers(app):
    add_calls(
        app,
        make_call(local(DAY, 8), wait_seconds=5, talk_seconds=60, emergency=True),
        make_call(local(DAY, 9), wait_seconds=25, talk_seconds=60, emergency=True),
        make_call(local(DAY, 10), wait_seconds=1, abandoned=True, emergency=True),
        make_call(local(DAY, 11), wait_seconds=90, abandoned=True, emergency=True),
        make_call(local(DAY, 12), wait_seconds=5, talk_seconds=60),
        make_call(local(DAY, 13), wait_seconds=5, talk_seconds=60),
    )
    summary = summary_of(app)
    assert summary["danger_now_offered"] == 4
    assert summary["danger_now_service_level"] == pytest.approx(1 / 3)
    assert summary["service_level"] == pytest.approx(3 / 5)


def test_a_log_that_is_not_a_list_counts_under_the_queue_category(app):
    add_calls(app, make_call(local(DAY, 8), wait_seconds=1, talk_seconds=10, categories={"not": "a list"}, category="elderly"))
    assert summary_of(app)["by_category"] == {"elderly": 1}
