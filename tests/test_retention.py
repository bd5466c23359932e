"""Retention: `flask retention` anonymises, then purges, calls older than the configured ages."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from helpline import clock
from helpline.db import db
from helpline.models import AuditRecord, Call, CallEvent, User
from helpline.retention import ANONYMISED, CALL_ROWS, KEPT_PARAMS, REDACTED_REASON
from tests.support.calls import call_events
from tests.support.provider import new_call_sid

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
NUMBER = "+989127654321"
WHERE = {"FromCity": "Tabriz", "FromState": "East Azerbaijan", "CallerZip": "51368", "FromCountry": "IR"}
REVEAL_REASON = "Calling back Maryam Rezaei at her aunt's house"
NOTES = "Spoke of her brother Ali; school in Tabriz"


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


@pytest.fixture
def admin(app, auth) -> int:
    auth.create("keeper", role="admin")
    return user_id(app, "keeper")


@pytest.fixture
def place_call(app, provider, auth):
    """A whole call through the webhooks (the caller's number and whereabouts with each), then
    the counselor's log, a supervisor's reveal of the number, and its start moved to `started_at`."""
    auth.create("reviewer", role="supervisor")
    reviewer = user_id(app, "reviewer")

    def place(started_at: datetime) -> str:
        call_sid = new_call_sid()
        for path, params in call_events(call_sid, NUMBER, "bridged"):
            assert provider.post(path, {**params, **WHERE}).status_code in (200, 204)
        with app.app_context():
            db.session.execute(
                update(Call)
                .where(Call.call_sid == call_sid)
                .values(
                    started_at=started_at, call_type="counselling", categories=["family"], risk_level="high",
                    outcome="referred", referral="Tabriz family court, judge Karimi", notes=NOTES,
                    follow_up_on=started_at.date() + timedelta(days=7),
                )
            )
            db.session.add(
                AuditRecord(at=started_at, user_id=reviewer, action="reveal_number", call_sid=call_sid,
                            reason=REVEAL_REASON, details={"result": "revealed", "via": "api"})
            )
            db.session.commit()
        return call_sid

    return place


def stored(app, call_sid: str) -> tuple[Call | None, list[dict], list[AuditRecord]]:
    with app.app_context():
        call = db.session.get(Call, call_sid)
        if call is not None:
            db.session.expunge(call)
        events = list(db.session.scalars(select(CallEvent.params).where(CallEvent.call_sid == call_sid)))
        audits = list(db.session.scalars(select(AuditRecord).where(AuditRecord.call_sid == call_sid)))
        for record in audits:
            db.session.expunge(record)
        return call, events, audits


def runs(app) -> list[AuditRecord]:
    with app.app_context():
        records = list(db.session.scalars(select(AuditRecord).where(AuditRecord.action == "retention").order_by(AuditRecord.id)))
        for record in records:
            db.session.expunge(record)
        return records


def retention(runner, *args):
    return runner.invoke(args=["retention", *args])


def test_anonymising_removes_who_and_keeps_what_reports_read(app, runner, place_call, admin, frozen):
    old = place_call(NOW - timedelta(days=40))
    recent = place_call(NOW - timedelta(days=10))
    before, _, _ = stored(app, old)

    result = retention(runner, "--anonymise-days", "30", "--operator", "keeper")

    assert result.exit_code == 0, result.output
    assert "0 calls purged, 1 anonymised" in result.output
    call, events, audits = stored(app, old)
    assert (call.caller_hash, call.caller_encrypted, call.caller_masked, call.notes, call.referral) == (None, None, ANONYMISED, None, None)
    kept = ("started_at", "enqueued_at", "ended_at", "wait_seconds", "duration_seconds", "queue_result", "category",
            "priority", "repeat_caller", "call_type", "categories", "risk_level", "outcome", "follow_up_on", "status")
    assert {name: getattr(call, name) for name in kept} == {name: getattr(before, name) for name in kept}
    assert len(events) == len(call_events(old, NUMBER, "bridged"))
    assert all(set(params) <= KEPT_PARAMS for params in events)
    with app.app_context():
        keys = list(db.session.scalars(select(CallEvent.dedupe_key).where(CallEvent.call_sid == old)))
        assert keys and all(key.startswith("anonymised-") for key in keys) and len(set(keys)) == len(keys)
    for trace in ("Tabriz", "51368", "7654321"):
        assert trace not in json.dumps(events)
    assert any(params.get("QueueResult") == "bridged" for params in events)
    assert [(record.action, record.reason) for record in audits] == [("reveal_number", REDACTED_REASON)]

    untouched, recent_events, recent_audits = stored(app, recent)
    assert untouched.caller_hash and untouched.notes == NOTES
    with app.app_context():
        assert not any(key.startswith("anonymised-") for key in db.session.scalars(select(CallEvent.dedupe_key).where(CallEvent.call_sid == recent)))
    assert recent_audits[0].reason == REVEAL_REASON

    [run] = runs(app)
    assert run.at == NOW and run.user_id == admin and run.call_sid is None
    assert run.details == {
        "anonymise_before": (NOW - timedelta(days=30)).isoformat(), "purge_before": None,
        "anonymised": 1, "purged": 0, "finished": True,
    }

    again = retention(runner, "--anonymise-days", "30", "--operator", "keeper")
    assert "0 calls purged, 0 anonymised" in again.output


def test_purging_deletes_the_call_and_its_rows_and_keeps_the_reveal_without_its_reason(app, runner, place_call, admin, frozen):
    old = place_call(NOW - timedelta(days=400))
    kept = place_call(NOW - timedelta(days=100))

    result = retention(runner, "--anonymise-days", "30", "--purge-days", "365", "--operator", "keeper")

    assert result.exit_code == 0, result.output
    assert "1 calls purged, 1 anonymised" in result.output
    call, events, audits = stored(app, old)
    assert call is None and events == []
    with app.app_context():
        for column in CALL_ROWS:
            assert db.session.scalar(select(column).where(column == old)) is None
    assert [(record.action, record.reason, record.details) for record in audits] == [
        ("reveal_number", REDACTED_REASON, {"result": "revealed", "via": "api"})
    ]
    assert stored(app, kept)[0].caller_masked == ANONYMISED
    assert runs(app)[0].details["purged"] == 1


@pytest.mark.parametrize("option", ["--anonymise-days", "--purge-days"])
def test_a_call_exactly_at_the_boundary_is_kept(app, runner, place_call, admin, frozen, option):
    at_boundary = place_call(NOW - timedelta(days=30))
    just_older = place_call(NOW - timedelta(days=30, seconds=1))

    assert retention(runner, option, "30", "--operator", "keeper").exit_code == 0

    boundary_call, _, _ = stored(app, at_boundary)
    assert boundary_call.caller_hash is not None and boundary_call.notes == NOTES
    older_call, _, _ = stored(app, just_older)
    if option == "--purge-days":
        assert older_call is None
    else:
        assert older_call.caller_masked == ANONYMISED


def test_a_dry_run_counts_and_changes_nothing(app, runner, place_call, frozen):
    calls = [place_call(NOW - timedelta(days=days)) for days in (400, 100, 50, 5)]
    before = [stored(app, call_sid) for call_sid in calls]

    result = retention(runner, "--anonymise-days", "30", "--purge-days", "365", "--dry-run")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["1 calls would be purged", "3 calls would be anonymised"]
    after = [stored(app, call_sid) for call_sid in calls]
    for (call, events, audits), (call_after, events_after, audits_after) in zip(before, after, strict=True):
        assert (call.caller_hash, call.notes, call.caller_masked) == (call_after.caller_hash, call_after.notes, call_after.caller_masked)
        assert events == events_after and [a.reason for a in audits] == [a.reason for a in audits_after]
    assert runs(app) == []


def test_settings_give_the_ages_and_small_batches_cover_every_call(app, app_factory, migrated, place_call, admin, frozen):
    calls = [place_call(NOW - timedelta(days=31, minutes=minutes)) for minutes in range(5)]

    class Settings(migrated):
        RETENTION_ANONYMISE_DAYS = 30
        RETENTION_BATCH_SIZE = 2
        RETENTION_OPERATOR = "keeper"

    result = app_factory(Settings).test_cli_runner().invoke(args=["retention"])

    assert result.exit_code == 0, result.output
    assert "Anonymising 5 calls" in result.output and "0 calls purged, 5 anonymised" in result.output
    assert all(stored(app, call_sid)[0].caller_masked == ANONYMISED for call_sid in calls)
    assert runs(app)[0].details["anonymised"] == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "nothing to do"),
        (["--purge-days", "0"], "0 is not in the range x>=1"),
        (["--anonymise-days", "-3"], "-3 is not in the range x>=1"),
        (["--anonymise-days", "soon"], "'soon' is not a valid integer"),
        (["--anonymise-days", "400", "--purge-days", "365"], "--purge-days (365) must be more than --anonymise-days (400)"),
        (["--anonymise-days", "30", "--batch-size", "0"], "0 is not in the range"),
        (["--anonymise-days", "30"], "--operator or RETENTION_OPERATOR"),
        (["--anonymise-days", "30", "--operator", "counselor1"], "counselor1 is not an admin"),
        (["--anonymise-days", "30", "--operator", "nobody"], "nobody is not an admin"),
    ],
)
def test_bad_options_get_a_clear_error_and_change_nothing(app, runner, place_call, auth, frozen, args, message):
    auth.create("counselor1")
    call_sid = place_call(NOW - timedelta(days=500))

    result = retention(runner, *args)

    assert result.exit_code == 2 and message in result.output, result.output
    call, _, audits = stored(app, call_sid)
    assert call.caller_hash is not None and audits[0].reason == REVEAL_REASON
    assert runs(app) == []


def test_the_run_is_listed_in_the_audit_log(app, client, runner, place_call, admin, frozen, auth):
    place_call(NOW - timedelta(days=40))
    assert retention(runner, "--anonymise-days", "30", "--operator", "keeper").exit_code == 0
    auth.login("reviewer")
    page = client.get("/audit?user=keeper")
    assert page.status_code == 200
    assert "retention: anonymise calls started over 30 days ago" in page.get_data(as_text=True)
    # The action by its label, in the reader's language, not its key.
    assert "Applied the retention policy to old calls" in page.get_data(as_text=True)
