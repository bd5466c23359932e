"""The reports read both ways: from the rollups, and (their offset taken away inside a rolled-back
transaction) from the calls and the presence history, which must agree."""

from datetime import date, timedelta

import pytest
from sqlalchemy import delete

from helpline.db import db
from helpline.periods import Period
from helpline.reports.breakdowns import by_category_outcome_risk, by_hour_and_weekday
from helpline.reports.counselors import per_counselor
from helpline.reports.rollup_tables import ReportRollupSettings
from helpline.reports.rollups import days_covered
from helpline.reports.summary import summarize
from helpline.reports.trend import daily
from tests.support.reports import THRESHOLDS, local

MONDAY = date(2024, 3, 11)
WEEK = Period(MONDAY - timedelta(days=2), MONDAY + timedelta(days=4), 210)
NOW = local(MONDAY + timedelta(days=40))
SUMS_TABLES = ("call_days", "call_hours", "call_category_days", "counselor_days")
DELTA_TABLES = ("call_days_delta", "call_hours_delta", "call_category_days_delta", "counselor_days_delta")


def every_report(period: Period, thresholds: dict, now=NOW) -> dict:
    start, end = period.start_utc, period.end_utc
    return {
        "summary": summarize(start, end, **thresholds),
        "counselors": per_counselor(start, end, now=now),
        "breakdown": by_category_outcome_risk(start, end),
        "hours": by_hour_and_weekday(start, end, utc_offset_minutes=period.utc_offset_minutes, **thresholds),
        "trend": daily(period, **thresholds),
    }


def assert_same(rolled_up, from_calls, where: str = "report") -> None:
    """Equal, floats within a millisecond (or a millionth, for ratios): SQLite measures spans
    in julian days, whose doubles are some tens of microseconds apart in this century."""
    if isinstance(rolled_up, float) or isinstance(from_calls, float):
        assert from_calls is not None and rolled_up == pytest.approx(from_calls, abs=1e-3, rel=1e-6), where
    elif isinstance(rolled_up, dict):
        assert isinstance(from_calls, dict) and list(rolled_up) == list(from_calls), where
        for key in rolled_up:
            assert_same(rolled_up[key], from_calls[key], f"{where}.{key}")
    elif isinstance(rolled_up, list):
        assert isinstance(from_calls, list) and len(rolled_up) == len(from_calls), where
        for number, (mine, theirs) in enumerate(zip(rolled_up, from_calls, strict=True)):
            assert_same(mine, theirs, f"{where}[{number}]")
    else:
        assert rolled_up == from_calls, where


def rolled_up_and_read_from_calls(app, period: Period = WEEK, thresholds: dict = THRESHOLDS, now=NOW) -> tuple[dict, dict]:
    """The reports from the rollups, then (their offset taken away, inside a transaction that
    is rolled back) from the calls."""
    with app.app_context():
        assert days_covered(db.session, period.start_utc, period.end_utc, period.utc_offset_minutes) is not None
        rolled_up = every_report(period, thresholds, now)
        db.session.execute(delete(ReportRollupSettings))
        assert days_covered(db.session, period.start_utc, period.end_utc) is None
        from_calls = every_report(period, thresholds, now)
        db.session.rollback()
    return rolled_up, from_calls


def assert_rollups_agree(app, **kwargs) -> dict:
    rolled_up, from_calls = rolled_up_and_read_from_calls(app, **kwargs)
    assert_same(rolled_up, from_calls)
    return rolled_up
