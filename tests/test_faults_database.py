"""The database gone for 30 seconds while calls keep coming, through gunicorn over real HTTP.

PostgreSQL is reached through a TCP proxy the test closes (every connection dropped, new ones
refused); SQLite is kept busy by another process holding its write lock, so every write waits
out its timeout and fails. Either way every caller must still hear TwiML that queues them,
and once the database answers again the spool brings every webhook home, each exactly once.
"""

import time

import pytest
import requests
from sqlalchemy.exc import OperationalError

from helpline.emulator import Range
from helpline import background
from helpline.webhook_recording import record_spooled
from tests.conftest import Provider, new_call_sid
from tests.live_servers import wait_for
from tests.outage import replayed, service_with_outage, spooled
from tests.test_faults_events import assert_recorded_exactly_once, background_load
from tests.test_spool import counts, fragile_app, fragile_provider, outage  # noqa: F401 (fixtures)

OUTAGE_SECONDS = 30
# Calls a second, and the seconds of load before and after the outage.
RATE = 3
BEFORE, AFTER = 3, 7
LOAD = {
    "rate": RATE,
    "calls": RATE * (BEFORE + OUTAGE_SECONDS + AFTER),
    "max_live": 100,
    "time_scale": 0.01,
    "wait": Range(10, 120),
    "talk": Range(30, 200),
    "play": Range(10, 20),
    "duplicates": 0.05,
    "seed": 730,
    "timeout": 30,
}


def test_thirty_seconds_without_the_database_under_load_queues_every_caller_and_loses_nothing(app, database_url, tmp_path):
    with service_with_outage(app, database_url, tmp_path) as (base_url, database, spool_dir):
        with background_load(app, base_url, **LOAD) as load:
            time.sleep(BEFORE)
            with database.down():
                wait_for(lambda: spooled(spool_dir), "webhooks spooled while the database is down", timeout=15)
                time.sleep(OUTAGE_SECONDS)
                assert requests.get(base_url + "/healthz", timeout=30).status_code == 503
        wait_for(lambda: replayed(base_url, spool_dir), "the spool replayed", timeout=60)

    summary = load["summary"]
    # Every valid request was answered 2xx with TwiML that parsed; every caller was queued.
    assert summary.problem_count == 0, summary.problems[:20]
    assert summary.calls_placed == LOAD["calls"]
    assert [outcome.call_sid for outcome in summary.calls if outcome.enqueues == 0] == []
    assert_recorded_exactly_once(app, summary)


def test_a_claimed_spool_is_not_overwritten_by_the_next_claim(fragile_app, fragile_provider, outage, app):  # noqa: F811
    """A replay that fails leaves its file claimed; the process spools more under its same
    name; the next claim must not rename the new file onto the old one."""
    first, second = new_call_sid(), new_call_sid()
    spool = fragile_app.extensions["helpline.spool"]
    def failed_replay() -> None:
        # The process's own retries stop first: this test makes the attempts itself.
        assert background.stop(fragile_app)
        with fragile_app.app_context(), pytest.raises(OperationalError):
            spool.replay(record_spooled)

    with outage.down():
        fragile_provider.post("/twilio/status", Provider.params(first, CallStatus="completed", CallDuration="5"))
        failed_replay()
        fragile_provider.post("/twilio/status", Provider.params(second, CallStatus="completed", CallDuration="6"))
        failed_replay()
        assert len(list(spool.directory.glob("*.replaying"))) == 2
    assert fragile_app.test_client().get("/healthz").status_code == 200
    assert not spool.pending()
    assert counts(app, first) == (1, 1) and counts(app, second) == (1, 1)
