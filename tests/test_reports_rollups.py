"""The reports' rollups: every report read from them equals the same report read from the calls
and the presence history, after every kind of write (webhooks, the counselor's log, direct
updates, presence changes in and out of order, across midnight), for any thresholds."""

from datetime import date, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, func, select, text, update

from helpline.db import db
from helpline.models import Call, PresenceChange
from helpline.periods import Period
from helpline.reports.rollup_tables import CallHour, PresenceDay
from helpline.reports.rollups import RollupDays, days_covered, fold_deltas, whole_months_and_days
from helpline.reports.summary import summarize
from helpline.reports.trend import daily
from tests.support.calls import give_call, queue_caller
from tests.support.provider import Provider, path_with
from tests.support.reports import THRESHOLDS, add_calls, add_presence, add_user, local, make_call, provider_bridged
from tests.support.rollups import DELTA_TABLES, MONDAY, NOW, WEEK, assert_rollups_agree, assert_same, rolled_up_and_read_from_calls

BEFORE_ROLLUPS = "d7d5761dddfa"


def mixed_week(app) -> tuple[list[str], int, int]:
    first, second = add_user(app, "counselor1"), add_user(app, "counselor2")
    def at(day, hour, minute=0):
        return local(MONDAY + timedelta(days=day), hour, minute)
    sids = add_calls(
        app,
        make_call(
            at(0, 9), wait_seconds=10, talk_seconds=300, wrap_up_seconds=60, categories=["anxiety", "stress"], repeat_caller=True,
            counselor_id=first, outcome="counselled", risk_level="low",
        ),
        make_call(at(0, 10), wait_seconds=30, talk_seconds=200, category="children_family", counselor_id=second),
        make_call(at(0, 11), wait_seconds=3, abandoned=True),
        make_call(at(0, 12), wait_seconds=40, abandoned=True),
        make_call(at(0, 13), wait_seconds=None, abandoned=True, category="elderly"),
        make_call(
            at(1, 0, 10), wait_seconds=20, talk_seconds=100, wrap_up_seconds=0, emergency=True, category="suicide_self_harm",
            categories=["suicidal_thoughts"], counselor_id=first, outcome="referred", risk_level="high",
        ),
        make_call(at(1, 23, 59), wait_seconds=2, abandoned=True, emergency=True, category="suicide_self_harm"),
        make_call(at(2, 2), wait_seconds=50, abandoned=True, emergency=True, category=None),
        make_call(None, started_at=at(2, 17), category=None),
        make_call(at(3, 12), wait_seconds=None, talk_seconds=50, counselor_id=None, categories={"not": "a list"}),
        make_call(at(-1, 23, 30), wait_seconds=5, talk_seconds=50, counselor_id=second, categories=["anxiety"], outcome="counselled", risk_level="none"),
    )  # fmt: skip
    # Bridged straight from the queue by the provider, through the webhooks: on Monday after
    # 15 s, and on Wednesday at 23:59:30 after 45 s (answered on Thursday, counted on Wednesday).
    provider_bridged(app, at(0, 14), 15)
    provider_bridged(app, local(MONDAY + timedelta(days=2), 23, 59, 30), 45, digits="4")
    return sids, first, second


# The mixed week's summary, by hand: 12 offered (the IVR drop-off is not), 7 answered (the five
# with a talk time and the two bridged), abandoned 3 and short abandons 2 (3 s and 2 s); within
# 20 s: 10, 20, 5 and the bridged 15 (not 30, 45 nor the unknown wait).
WEEK_SUMMARY = {"offered": 12, "answered": 7, "abandoned": 3, "short_abandons": 2, "answered_within_threshold": 4}


def counts(summary: dict) -> dict:
    return {name: summary[name] for name in WEEK_SUMMARY}


def test_every_report_agrees_with_the_calls(app):
    mixed_week(app)
    report = assert_rollups_agree(app)
    assert counts(report["summary"]) == WEEK_SUMMARY
    assert report["summary"]["service_level"] == pytest.approx(4 / 10)
    # The known waits of the answered calls: (10 + 30 + 20 + 5 + 15 + 45) / 6.
    assert report["summary"]["average_speed_of_answer"] == pytest.approx(125 / 6)
    assert [day["answered"] for day in report["trend"]] == [0, 1, 3, 1, 1, 1, 0]
    assert {row["hour"]: row["answered"] for row in report["hours"]["hours"] if row["answered"]} == {9: 1, 10: 1, 0: 1, 12: 1, 23: 2, 14: 1}
    # No counselor of ours was on the bridged calls.
    assert {row["counselor"]: row["handled"] for row in report["counselors"]} == {"counselor1": 2, "counselor2": 2}


@pytest.mark.parametrize(
    "thresholds, expected",
    [
        # Nothing is answered within 1 s; every hang-up is abandoned.
        ({"service_level_seconds": 1, "short_abandon_seconds": 0}, {"abandoned": 5, "short_abandons": 0, "answered_within_threshold": 0}),
        # Hang-ups of 3, 40 and 2 s are short; answered within 30 s: 10, 30, 20, 5 and 15.
        ({"service_level_seconds": 30, "short_abandon_seconds": 41}, {"abandoned": 2, "short_abandons": 3, "answered_within_threshold": 5}),
        # Only the unknown wait is a real abandon; every known wait of an answer is within.
        ({"service_level_seconds": 3600, "short_abandon_seconds": 600}, {"abandoned": 1, "short_abandons": 4, "answered_within_threshold": 6}),
    ],
)  # fmt: skip
def test_any_thresholds_apply_to_the_rollups(app, thresholds, expected):
    mixed_week(app)
    report = assert_rollups_agree(app, thresholds=thresholds)
    assert counts(report["summary"]) == {**WEEK_SUMMARY, **expected}


def test_single_days_and_other_periods(app):
    mixed_week(app)
    # (offered, answered) of each period, by hand.
    for first, last, expected in ((0, 0, (6, 3)), (1, 1, (2, 1)), (-1, 0, (7, 4)), (2, 3, (3, 2)), (-30, 30, (12, 7))):
        period = Period(MONDAY + timedelta(days=first), MONDAY + timedelta(days=last), 210)
        summary = assert_rollups_agree(app, period=period)["summary"]
        assert (summary["offered"], summary["answered"]) == expected, (first, last)


def test_updates_move_calls_between_rollup_rows(app):
    sids, first, second = mixed_week(app)
    changes = [
        # Logged, then logged again with other categories, outcome and risk.
        {"categories": ["anxiety"], "outcome": "counselled", "risk_level": "medium", "call_type": "about_self"},
        {"categories": ["stress", "loneliness"], "outcome": "referred", "risk_level": "imminent"},
        # The log emptied: back under the queue category.
        {"categories": [], "outcome": None, "risk_level": None},
        # A longer wait, a later answer, another counselor, a wrap-up.
        {"wait_seconds": 25, "counselor_id": first, "wrap_up_seconds": 45},
        # Moved to another local day (an earlier enqueue time arriving late).
        {"enqueued_at": local(MONDAY - timedelta(days=1), 22)},
        # Never queued after all.
        {"enqueued_at": None},
    ]
    for change in changes:
        with app.app_context():
            db.session.execute(update(Call).where(Call.call_sid == sids[1]).values(**change))
            db.session.execute(update(Call).where(Call.call_sid == sids[3]).values(abandoned=False, answered_at=local(MONDAY, 12, 1), talk_seconds=30))
            db.session.commit()
        summary = assert_rollups_agree(app)["summary"]
        # The second call is answered until it is no longer offered; the fourth now is.
        assert (summary["offered"], summary["answered"]) == ((11, 7) if change == {"enqueued_at": None} else (12, 8))


def test_a_call_through_the_webhooks_and_the_counselors_log(app, client, auth, provider):
    auth.create()
    auth.login()
    assert client.put("/api/presence", json={"state": "available"}).status_code == 200
    call_sid = queue_caller(provider, digits="2")
    give_call(app, call_sid, "counselor1")
    with app.app_context():
        counselor_id = db.session.get(Call, call_sid).counselor_id
    provider.post("/twilio/queue-result?lang=en", Provider.params(call_sid, QueueResult="bridged", QueueTime="12"))
    provider.post(
        path_with("/twilio/dial-result", counselor=counselor_id, lang="en"),
        Provider.params(call_sid, DialCallStatus="completed", DialCallDuration="240"),
    )
    provider.post("/twilio/status", Provider.params(call_sid, CallStatus="completed", CallDuration="260"))
    log = {"call_type": "about_self", "categories": ["anxiety"], "risk_level": "low", "outcome": "counselled"}
    assert client.patch(f"/api/calls/{call_sid}", json=log).status_code == 200
    assert client.patch(f"/api/calls/{call_sid}", json={"categories": ["stress"], "risk_level": "high"}).status_code == 200
    abandoned = queue_caller(provider, digits="9")
    provider.post("/twilio/queue-result?lang=en", Provider.params(abandoned, QueueResult="hangup", QueueTime="3"))
    with app.app_context():
        enqueued = db.session.get(Call, call_sid).enqueued_at
        offset = timedelta(minutes=210)
        today = (enqueued + offset).date()
    # Bridged by the provider after 25 s, no counselor of ours on the call.
    provider_bridged(app, enqueued, 25, digits="4")
    period = Period(today, today, 210)
    report = assert_rollups_agree(app, period=period, now=enqueued + timedelta(hours=1))
    assert (report["summary"]["offered"], report["summary"]["answered"], report["summary"]["short_abandons"]) == (3, 2, 1)
    assert report["summary"]["average_speed_of_answer"] == pytest.approx((12 + 25) / 2)
    assert report["summary"]["by_category"] == {"elderly": 1, "stress": 1, "suicide_self_harm": 1}
    assert report["counselors"][0]["handled"] == 1 and report["counselors"][0]["staffed_seconds"] > 0


def staffed_days(app, user_id: int) -> dict[date, float]:
    with app.app_context():
        rows = db.session.execute(select(PresenceDay.day, PresenceDay.staffed_microseconds).where(PresenceDay.user_id == user_id)).all()
    return {day: microseconds / 1_000_000 for day, microseconds in rows if microseconds}


def test_presence_across_midnight_and_out_of_order(app):
    user = add_user(app, "counselor1")
    add_presence(app, user, (local(MONDAY, 22), "available"), (local(MONDAY + timedelta(days=1), 2), "break"))
    # 22:00-02:00 local: two hours on each side of midnight.
    assert staffed_days(app, user) == {MONDAY: 7200, MONDAY + timedelta(days=1): 7200}
    # A change arriving late, between the two: on a call from 23:00, then wrap-up at 01:30.
    add_presence(app, user, (local(MONDAY + timedelta(days=1), 1, 30), "wrap_up"), (local(MONDAY, 23), "on_call"))
    assert staffed_days(app, user) == {MONDAY: 7200, MONDAY + timedelta(days=1): 7200}
    # A break inserted in the middle cuts the staffed time; the same moment twice keeps the later.
    add_presence(app, user, (local(MONDAY, 23, 30), "break"), (local(MONDAY + timedelta(days=1), 1), "available"))
    assert staffed_days(app, user) == {MONDAY: 5400, MONDAY + timedelta(days=1): 3600}
    add_presence(app, user, (local(MONDAY + timedelta(days=1), 1), "offline"))
    assert staffed_days(app, user) == {MONDAY: 5400, MONDAY + timedelta(days=1): 1800}
    # A span over several days, and the latest state still open.
    add_presence(app, user, (local(MONDAY + timedelta(days=3), 10), "available"), (local(MONDAY + timedelta(days=5), 10), "offline"))
    add_presence(app, user, (local(MONDAY + timedelta(days=6), 8), "available"))
    days = staffed_days(app, user)
    assert [days[MONDAY + timedelta(days=n)] for n in (3, 4, 5)] == [14 * 3600, 24 * 3600, 10 * 3600]
    for now in (NOW, local(MONDAY + timedelta(days=6), 9)):
        for period in (WEEK, Period(MONDAY + timedelta(days=6), MONDAY + timedelta(days=6), 210)):
            assert_rollups_agree(app, period=period, now=now)


def test_presence_through_the_service(app, client, auth):
    auth.create()
    auth.login()
    for state in ("available", "break", "available", "offline"):
        assert client.put("/api/presence", json={"state": state}).status_code == 200
    with app.app_context():
        changes = db.session.execute(select(PresenceChange.changed_at, PresenceChange.state).order_by(PresenceChange.id)).all()
        stored = db.session.scalar(select(func.sum(PresenceDay.staffed_microseconds))) or 0
    spans = zip(changes, changes[1:], strict=False)
    expected = sum((later[0] - earlier[0]) // timedelta(microseconds=1) for earlier, later in spans if earlier[1] == "available")
    assert stored == expected


def test_another_offset_reads_the_calls(app):
    mixed_week(app)
    tajik = Period(WEEK.first, WEEK.last, 300)
    with app.app_context():
        assert days_covered(db.session, tajik.start_utc, tajik.end_utc, 300) is None
        assert days_covered(db.session, tajik.start_utc, tajik.end_utc) is None
        # Sunday 23:30 in Tehran is Monday 01:00 in Dushanbe; with it, Monday's six calls.
        assert daily(tajik, **THRESHOLDS)[2]["offered"] == 7


def test_purged_calls_stay_counted(app):
    mixed_week(app)
    with app.app_context():
        db.session.execute(delete(Call))
        db.session.commit()
        assert counts(summarize(WEEK.start_utc, WEEK.end_utc, **THRESHOLDS)) == WEEK_SUMMARY


def nonzero_rows(app, model) -> int:
    """Rows that count something (updates leave rows at zero), once PostgreSQL's deltas, which
    wait until folded, are in the sums."""
    with app.app_context():
        fold_deltas(db.session)
        db.session.commit()
        return db.session.scalar(select(func.count()).select_from(model).where(model.calls != 0))


def test_the_migration_counts_existing_rows(app):
    """Down to the revision before the rollups, rows written without them, up again: the
    backfill gives what the triggers and the session would have. On the way down, the bridged
    calls lose their answer time, as before it was given to them; on the way up, they get it
    back (revision 208a2248d57e), counted as answered."""
    _, first, _ = mixed_week(app)
    add_presence(app, first, (local(MONDAY, 22), "available"), (local(MONDAY, 23), "on_call"), (local(MONDAY + timedelta(days=1), 3), "offline"))
    rolled_up_live, _ = rolled_up_and_read_from_calls(app)
    live_rows = nonzero_rows(app, CallHour)
    with app.app_context():
        downgrade(revision=BEFORE_ROLLUPS)
        try:
            for table in ("call_hours", "call_category_days", "counselor_days", "presence_days", "report_rollup_settings", *DELTA_TABLES):
                assert not db.inspect(db.engine).has_table(table)
            # Written while the rollups did not exist.
            db.session.execute(text("UPDATE calls SET wait_seconds = wait_seconds + 1 WHERE wait_seconds IS NOT NULL"))
            db.session.commit()
        finally:
            db.session.remove()
            upgrade()
    rolled_up, from_calls = rolled_up_and_read_from_calls(app)
    assert_same(rolled_up, from_calls)
    assert counts(rolled_up_live["summary"]) == WEEK_SUMMARY
    # Each known wait a second longer: within 20 s now 11, 6 and the bridged 16.
    assert counts(rolled_up["summary"]) == {**WEEK_SUMMARY, "answered_within_threshold": 3}
    assert rolled_up["summary"]["average_speed_of_answer"] == pytest.approx(131 / 6)
    assert_same(rolled_up["counselors"], rolled_up_live["counselors"])
    assert nonzero_rows(app, CallHour) == live_rows


@pytest.mark.parametrize(
    "first, last, months, days",
    [
        (date(2025, 1, 1), date(2025, 12, 31), (date(2025, 1, 1), date(2025, 12, 31)), []),
        (date(2025, 6, 1), date(2025, 6, 30), (date(2025, 6, 1), date(2025, 6, 30)), []),
        (
            date(2025, 1, 15), date(2025, 3, 10), (date(2025, 2, 1), date(2025, 2, 28)),
            [(date(2025, 1, 15), date(2025, 1, 31)), (date(2025, 3, 1), date(2025, 3, 10))],
        ),
        (date(2025, 1, 15), date(2025, 1, 20), None, [(date(2025, 1, 15), date(2025, 1, 20))]),
        (date(2024, 2, 2), date(2024, 3, 1), None, [(date(2024, 2, 2), date(2024, 3, 1))]),
        (date(9999, 12, 5), date(9999, 12, 30), None, [(date(9999, 12, 5), date(9999, 12, 30))]),
    ],
)
def test_whole_months_and_the_days_around_them(first, last, months, days):
    assert whole_months_and_days(RollupDays(first, last)) == (months, days)
