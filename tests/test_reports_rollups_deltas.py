"""The rollups on PostgreSQL, where the triggers append signed counts to delta tables that are
folded into the sums: concurrent webhooks neither wait on the sums nor deadlock, folds and reads
count every call once, and the service's connections never JIT-compile the triggers."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from helpline.danger_sweep import sweep_once
from helpline.db import db
from helpline.models import Call
from helpline.periods import Period
from helpline.reports.rollups import fold_deltas
from tests.support.calls import queue_caller
from tests.support.provider import Provider, new_call_sid
from tests.support.rollups import DELTA_TABLES, SUMS_TABLES, assert_rollups_agree

WEBHOOK_THREADS = 16
CALLS_PER_THREAD = 8


def webhooks_of_calls(app, thread: int) -> list[str]:
    """One provider's calls, each queued, then answered or abandoned, then ended: an insert and
    updates of `calls`, each a transaction of its own, with waits that make new rollup keys."""
    provider = Provider(app.test_client(), app.config["TWILIO_AUTH_TOKEN"])
    sids = []
    for number in range(CALLS_PER_THREAD):
        call_sid = queue_caller(provider, digits=("1", "2", "9")[(thread + number) % 3])
        wait = str((thread * CALLS_PER_THREAD + number) % 40)
        result = "bridged" if number % 2 else "hangup"
        for path, params in (
            ("/twilio/queue-result?lang=en", {"QueueResult": result, "QueueTime": wait}),
            ("/twilio/status", {"CallStatus": "completed", "CallDuration": "60"}),
        ):
            assert provider.post(path, Provider.params(call_sid, **params)).status_code in (200, 204)
        sids.append(call_sid)
    return sids


def on_postgresql(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def delta_rows(app) -> int:
    with app.app_context():
        return sum(db.session.scalar(text(f"SELECT count(*) FROM {table}")) for table in DELTA_TABLES)


def send_webhooks(app) -> list[str]:
    with ThreadPoolExecutor(WEBHOOK_THREADS) as pool:
        sent = [pool.submit(webhooks_of_calls, app, thread) for thread in range(WEBHOOK_THREADS)]
        return [call_sid for each in sent for call_sid in each.result()]


def test_concurrent_webhooks_neither_wait_on_the_sums_nor_deadlock(app):
    """On PostgreSQL the triggers only append deltas: many providers' webhooks at once are all
    recorded (none spooled after a deadlock or a lock wait) while another transaction holds
    every sums table against writers, and while folds run beside them; every report then
    agrees with the calls, before the last fold and after it."""
    if not on_postgresql(app):
        pytest.skip("SQLite's writers take turns; its triggers write the sums directly")
    # A webhook that waited this long for a lock would spool (and this test fail) at once.
    app.config["DATABASE_TIMEOUT_SECONDS"] = 1
    with app.app_context(), db.engine.connect() as holder:
        holder.execute(text(f"LOCK TABLE {', '.join(SUMS_TABLES)} IN EXCLUSIVE MODE"))
        sids = send_webhooks(app)
        holder.rollback()
    assert not app.extensions["helpline.spool"].pending()

    webhooks_done = threading.Event()
    folds = []

    def fold_meanwhile() -> None:
        with app.app_context():
            while not webhooks_done.is_set():
                folds.append(fold_deltas(db.session))
                db.session.commit()

    with ThreadPoolExecutor(1) as pool:
        folding = pool.submit(fold_meanwhile)
        try:
            sids += send_webhooks(app)
        finally:
            webhooks_done.set()
        folding.result()
    assert True in folds
    assert not app.extensions["helpline.spool"].pending()
    with app.app_context():
        calls = db.session.scalars(select(Call).where(Call.call_sid.in_(sids))).all()
        assert len(calls) == 2 * WEBHOOK_THREADS * CALLS_PER_THREAD
        assert all(call.enqueued_at is not None and call.status == "completed" for call in calls)
        enqueued = [call.enqueued_at for call in calls]
    offset = timedelta(minutes=210)
    period = Period((min(enqueued) + offset).date(), (max(enqueued) + offset).date(), 210)
    now = max(enqueued) + timedelta(hours=1)
    assert_rollups_agree(app, period=period, now=now)
    with app.app_context():
        assert fold_deltas(db.session)
        db.session.commit()
    assert delta_rows(app) == 0
    report = assert_rollups_agree(app, period=period, now=now)
    assert report["summary"]["offered"] == 2 * WEBHOOK_THREADS * CALLS_PER_THREAD
    # Every other call is bridged from the queue, and so answered; the rest hang up.
    answered = WEBHOOK_THREADS * CALLS_PER_THREAD
    assert report["summary"]["answered"] == answered
    assert report["summary"]["abandoned"] + report["summary"]["short_abandons"] == answered


def test_report_views_fold_the_deltas(app, client, auth, provider):
    auth.create("supervisor1", role="supervisor")
    auth.login("supervisor1")
    queue_caller(provider, digits="2")
    # SQLite's triggers write the sums directly.
    assert (delta_rows(app) > 0) == on_postgresql(app)
    response = client.get("/api/reports/summary")
    assert response.status_code == 200 and response.get_json()["offered"] == 1
    assert delta_rows(app) == 0


def test_the_periodic_sweep_folds_the_deltas(app, provider):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite's triggers write the sums themselves: there are no deltas")
    provider.post("/twilio/menu?attempt=1&lang=en", Provider.params(new_call_sid(), Digits="1"))
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM call_days_delta")) > 0
        db.session.rollback()
    sweep_once(app)
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM call_days_delta")) == 0
        assert db.session.scalar(text("SELECT sum(calls) FROM call_days WHERE span = 'day'")) == 1


def test_the_service_never_jit_compiles_the_rollup_triggers(app):
    """PostgreSQL's estimate for the triggers' inserts passes `jit_above_cost`: with JIT on, every
    webhook that counts a call spent milliseconds compiling them."""
    if not on_postgresql(app):
        pytest.skip("JIT is PostgreSQL's")
    with app.app_context():
        assert db.session.scalar(text("SHOW jit")) == "off"
        db.session.rollback()
