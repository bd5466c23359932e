"""Per-counselor handled calls, handle time and occupancy from the presence history."""

from datetime import date, timedelta

import pytest

from helpline.reports.counselors import per_counselor
from tests.support.reports import add_calls, add_presence, add_user, day_bounds, local, make_call

DAY = date(2024, 3, 11)
AFTER = local(DAY + timedelta(days=30))


def report_of(app, now=AFTER) -> dict[str, dict]:
    with app.app_context():
        return {row["counselor"]: row for row in per_counselor(*day_bounds(DAY), now=now)}


@pytest.fixture
def staffed_day(app):
    first = add_user(app, "counselor1")
    second = add_user(app, "counselor2")
    add_user(app, "idle")
    add_user(app, "supervisor1", "supervisor")
    add_user(app, "gone", active=False)
    yesterday = DAY - timedelta(days=1)
    add_presence(
        app,
        first,
        (local(yesterday, 22), "available"),  # in force when the day starts
        (local(DAY, 2), "break"),
        (local(DAY, 3), "available"),
        (local(DAY, 4), "on_call"),
        (local(DAY, 4, 10), "wrap_up"),
        (local(DAY, 4, 12), "available"),
        (local(DAY, 6), "offline"),
        (local(DAY + timedelta(days=1), 1), "available"),  # after the period
    )
    add_presence(app, second, (local(DAY - timedelta(days=3)), "offline"), (local(DAY, 10), "available"))
    add_calls(
        app,
        make_call(local(DAY, 4), wait_seconds=10, talk_seconds=300, wrap_up_seconds=60, counselor_id=first),
        make_call(local(DAY, 5), wait_seconds=10, talk_seconds=100, wrap_up_seconds=0, counselor_id=first),
        make_call(local(DAY, 11), wait_seconds=10, talk_seconds=200, counselor_id=second),
        make_call(local(DAY, 12), wait_seconds=10, abandoned=True, counselor_id=None),
        make_call(local(DAY - timedelta(days=1), 12), wait_seconds=10, talk_seconds=999, counselor_id=second),
    )
    return first, second


def test_handled_calls_and_handle_time(app, staffed_day):
    report = report_of(app)
    assert list(report) == ["counselor1", "counselor2", "idle"]
    first, second = report["counselor1"], report["counselor2"]
    assert (first["handled"], first["talk_seconds"], first["wrap_up_seconds"]) == (2, 400, 60)
    assert first["average_handle_time"] == pytest.approx(230.0)
    assert first["average_wrap_up"] == pytest.approx(30.0)
    assert (second["handled"], second["average_handle_time"], second["average_wrap_up"]) == (1, 200.0, None)
    assert report["idle"]["handled"] == 0 and report["idle"]["average_handle_time"] is None


def test_occupancy_over_staffed_time_clipped_to_the_period(app, staffed_day):
    report = report_of(app)
    # counselor1: 00:00-02:00 (in force from the day before) and 03:00-06:00 = 5 h.
    assert report["counselor1"]["staffed_seconds"] == pytest.approx(5 * 3600)
    assert report["counselor1"]["occupancy"] == pytest.approx(460 / (5 * 3600))
    # counselor2: available from 10:00, still so at the end of the day = 14 h.
    assert report["counselor2"]["staffed_seconds"] == pytest.approx(14 * 3600)
    assert report["counselor2"]["occupancy"] == pytest.approx(200 / (14 * 3600))
    assert report["idle"]["staffed_seconds"] == 0 and report["idle"]["occupancy"] is None


def test_the_latest_state_lasts_until_now(app, staffed_day):
    report = report_of(app, now=local(DAY, 12))
    assert report["counselor2"]["staffed_seconds"] == pytest.approx(2 * 3600)
    assert report["counselor2"]["occupancy"] == pytest.approx(200 / 7200)


def test_occupancy_never_exceeds_one(app):
    busy = add_user(app, "busy")
    add_presence(app, busy, (local(DAY, 23, 59), "on_call"))
    add_calls(app, make_call(local(DAY, 23, 58), wait_seconds=10, talk_seconds=3600, counselor_id=busy))
    assert report_of(app)["busy"]["occupancy"] == 1.0


def test_an_inactive_user_who_handled_calls_is_listed(app):
    gone = add_user(app, "gone", active=False)
    add_calls(app, make_call(local(DAY, 9), wait_seconds=10, talk_seconds=60, counselor_id=gone))
    assert report_of(app)["gone"]["handled"] == 1
