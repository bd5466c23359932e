"""The database down and back: callers are still queued, and no webhook is lost."""

import json
import shutil
import threading
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from helpline import background, call_log
from helpline.db import db
from helpline.models import Call
from helpline.spool import Backlog, Spool
from helpline.webhook_recording import replay_spool
from tests.support.calls import call_events
from tests.support.outage import counts, spooled
from tests.support.provider import Provider, new_call_sid
from tests.support.servers import wait_for


def test_callers_are_queued_while_the_database_is_down_and_nothing_is_lost(fragile_app, fragile_provider, outage, app):
    call_sid = new_call_sid()
    events = call_events(call_sid, "+989121234567", "bridged")
    danger_menu = ("/twilio/menu?attempt=1&lang=en", Provider.params(call_sid, CallStatus="in-progress", Digits="9"))
    with outage.down():
        assert fragile_app.test_client().get("/healthz").status_code == 503
        root = ET.fromstring(fragile_provider.post("/twilio/voice?lang=en", events[2][1]).data)
        assert root.find("Gather") is not None
        response = fragile_provider.post(*danger_menu)
        assert response.status_code == 200
        enqueue = ET.fromstring(response.data).find("Enqueue")
        assert enqueue.text == "helpline" and "emergency=1" in enqueue.get("waitUrl")
        for path, params in events[5:]:
            assert fragile_provider.post(path, params).status_code in (200, 204)
        assert fragile_app.extensions["helpline.spool"].pending()
    assert counts(app, call_sid) == (0, 0)

    # The process brings the spool home on its own once the database answers.
    wait_for(lambda: not fragile_app.extensions["helpline.spool"].pending(), "the spool replayed")
    assert counts(app, call_sid) == (1, 2 + len(events[5:]))
    with app.app_context():
        record = db.session.get(Call, call_sid)
        assert (record.category, record.priority, record.queue_result, record.status) == (
            "suicide_self_harm", "emergency", "bridged", "completed"
        )
        assert record.duration_seconds == 90 and record.caller_masked == "+98********67"


def test_a_webhook_after_recovery_replays_the_spool_when_nothing_else_does(fragile_app, fragile_provider, outage, app):
    spooled, later = new_call_sid(), new_call_sid()
    with outage.down():
        fragile_provider.post("/twilio/status", Provider.params(spooled, CallStatus="completed", CallDuration="5"))
        # The process stops retrying (as one whose retries ended): the next webhook replays it.
        assert background.stop(fragile_app)
    fragile_provider.post("/twilio/status", Provider.params(later, CallStatus="completed", CallDuration="6"))
    assert counts(app, spooled) == (1, 1) and counts(app, later) == (1, 1)


def test_replaying_twice_records_once(fragile_app, fragile_provider, outage, app, tmp_path):
    call_sid = new_call_sid()
    spool = fragile_app.extensions["helpline.spool"]
    with outage.down():
        fragile_provider.post("/twilio/status", Provider.params(call_sid, CallStatus="completed", CallDuration="5"))
        assert background.stop(fragile_app)
    # As if a replay had committed and then died before removing its file.
    (saved,) = spooled(spool.directory)
    shutil.copy(saved, tmp_path / "copy")
    runner = fragile_app.test_cli_runner()
    assert "replayed 1 webhooks" in runner.invoke(args=["spool", "replay"]).output
    shutil.copy(tmp_path / "copy", spool.directory / "pending-crashed.replaying")
    assert "replayed 1 webhooks" in runner.invoke(args=["spool", "replay"]).output
    assert counts(app, call_sid) == (1, 1)
    assert not spool.pending() and not list(spool.directory.glob("*.replaying"))


def test_a_failed_replay_keeps_the_spool(fragile_app, fragile_provider, outage, app):
    call_sid = new_call_sid()
    spool = fragile_app.extensions["helpline.spool"]
    with outage.down():
        fragile_provider.post("/twilio/status", Provider.params(call_sid, CallStatus="completed", CallDuration="5"))
        assert fragile_app.test_client().get("/healthz").status_code == 503
        # A replay attempt while still down fails and keeps everything.
        assert background.stop(fragile_app)
        with fragile_app.app_context():
            replay_spool()
        assert spool.pending()
    # The failed attempt set the process retrying.
    wait_for(lambda: counts(app, call_sid) == (1, 1), "the spool replayed")


def test_the_spool_holds_no_caller_number(fragile_app, fragile_provider, outage):
    with outage.down():
        fragile_provider.post("/twilio/voice", Provider.params(new_call_sid(), "+989127654321", CallStatus="ringing"))
        assert background.stop(fragile_app)
        (spool_file,) = spooled(fragile_app.extensions["helpline.spool"].directory)
        assert "7654321" not in spool_file.read_text("utf-8")


def test_an_unexpected_error_while_recording_still_queues_the_caller_and_keeps_the_webhook(app, provider, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(call_log, "record", broken)
    call_sid = new_call_sid()
    response = provider.post("/twilio/menu?attempt=1", Provider.params(call_sid, Digits="9"))
    assert response.status_code == 200 and ET.fromstring(response.data).find("Enqueue") is not None
    # Not the database: the replay fails the same way at every try, so it sets the webhook aside.
    spool = app.extensions["helpline.spool"]
    wait_for(lambda: spool.set_aside_count() == 1 and not spool.pending(), "the webhook set aside")
    monkeypatch.undo()
    # Once the bug is fixed, an operator tries the set-aside webhooks again.
    output = app.test_cli_runner().invoke(args=["spool", "replay", "--set-aside"]).output
    assert "replayed 1 webhooks" in output
    assert counts(app, call_sid) == (1, 1) and spool.set_aside_count() == 0


def test_a_webhook_waits_on_a_locked_call_no_longer_than_the_timeout(fragile_app, fragile_provider, app):
    """Every PostgreSQL connection bounds its lock waits: a webhook whose call another transaction
    holds (a long replay, a stuck request) spools and queues the caller, instead of keeping the
    caller waiting until that transaction ends."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite's writers wait on busy_timeout, which the connection is opened with")
    call_sid = new_call_sid()
    assert fragile_provider.post("/twilio/voice?lang=en", Provider.params(call_sid, CallStatus="ringing")).status_code == 200
    answers = []
    menu = ("/twilio/menu?attempt=1&lang=en", Provider.params(call_sid, CallStatus="in-progress", Digits="1"))
    webhook = threading.Thread(target=lambda: answers.append(fragile_provider.post(*menu)))
    with app.app_context(), db.engine.connect() as holder:
        holder.execute(select(Call.call_sid).where(Call.call_sid == call_sid).with_for_update())
        webhook.start()
        webhook.join(timeout=20)
        answered_while_locked = not webhook.is_alive()
        holder.rollback()
    webhook.join()
    assert answered_while_locked
    assert answers[0].status_code == 200
    assert ET.fromstring(answers[0].data).find("Enqueue") is not None
    assert fragile_app.extensions["helpline.spool"].pending()


def test_an_event_the_database_refuses_is_set_aside_and_the_others_recorded(fragile_app, fragile_provider, outage, app, caplog):
    spool = fragile_app.extensions["helpline.spool"]
    call_sids = [new_call_sid() for _ in range(3)]
    with outage.down():
        for call_sid in call_sids:
            fragile_provider.post("/twilio/status", Provider.params(call_sid, CallStatus="completed", CallDuration="5"))
        assert background.stop(fragile_app)
    # As if the middle one held a value the database can never take (here: no dedupe key).
    for spool_file in spooled(spool.directory):
        events = [json.loads(line) for line in spool_file.read_text("utf-8").splitlines()]
        for event in events:
            if event["call_sid"] == call_sids[1]:
                event["dedupe_key"] = None
        spool_file.write_text("".join(json.dumps(event) + "\n" for event in events), "utf-8")

    output = fragile_app.test_cli_runner().invoke(args=["spool", "replay"]).output
    assert "replayed 3 webhooks" in output
    assert [counts(app, call_sid) for call_sid in call_sids] == [(1, 1), (0, 0), (1, 1)]
    assert not spool.pending()
    (kept,) = spool.directory.glob("unrecordable*")
    assert [json.loads(line)["call_sid"] for line in kept.read_text("utf-8").splitlines()] == [call_sids[1]]
    assert f"cannot be recorded; kept in {kept.name}" in caplog.text
    metrics = fragile_app.test_client().get("/metrics", headers={"Authorization": "Bearer " + fragile_app.config["METRICS_TOKEN"]})
    assert "helpline_unrecordable_webhooks 1.0" in metrics.data.decode()

    # Later replays leave it where it is.
    assert "replayed 0 webhooks" in fragile_app.test_cli_runner().invoke(args=["spool", "replay"]).output
    assert kept.exists()


def test_the_backlog_counts_waiting_webhooks_line_by_line_and_since_the_earliest(tmp_path):
    spool = Spool(tmp_path / "spool")
    assert spool.backlog() == Backlog(0, None) and spool.set_aside_count() == 0
    spool.directory.mkdir()
    line = '{{"received_at": "{}"}}\n'.format
    (spool.directory / "pending-1.jsonl").write_text(line("2026-12-07T10:00:05+00:00") + line("2026-12-07T10:00:09+00:00"))
    (spool.directory / "pending-2.abc.replaying").write_text(line("2026-12-07T10:00:02+00:00"))
    # A torn line (a killed writer) counts, without a time.
    (spool.directory / "pending-3.jsonl").write_text('{"received_a')
    (spool.directory / "unrecordable.jsonl.kept").write_text(line("2026-12-07T09:00:00+00:00"))
    (spool.directory / ".replay.lock").write_text("")
    assert spool.backlog() == Backlog(4, datetime(2026, 12, 7, 10, 0, 2, tzinfo=timezone.utc))
    assert spool.set_aside_count() == 1


def test_the_backlog_is_counted_again_when_a_replay_claims_a_file_under_the_count(tmp_path):
    class ClaimedWhileCounting(Spool):
        """The first listing names a file that a replay renames before it is opened."""

        stale = True

        def _files(self, suffixes):
            if self.stale:
                self.stale = False
                (self.directory / "pending-1.jsonl").rename(self.directory / "pending-1.abc.replaying")
                return [self.directory / "pending-1.jsonl"]
            return super()._files(suffixes)

    spool = ClaimedWhileCounting(tmp_path)
    (tmp_path / "pending-1.jsonl").write_text('{"received_at": "2026-12-07T10:00:05+00:00"}\n{"received_at": "2026-12-07T10:00:06+00:00"}\n')
    assert spool.backlog() == Backlog(2, datetime(2026, 12, 7, 10, 0, 5, tzinfo=timezone.utc))
