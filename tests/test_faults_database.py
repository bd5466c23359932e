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

from helpline import background
from helpline.emulator import Range
from helpline.webhook_recording import record_spooled
from tests.support.load import assert_recorded_exactly_once, background_load
from tests.support.outage import Outage, counts, outage_environment, service_with_outage, spooled
from tests.support.provider import HttpProvider, Provider, new_call_sid
from tests.support.servers import gunicorn_process, wait_for

OUTAGE_SECONDS = 30
# Spooled webhooks are recorded within this many seconds of the database answering again, with
# no further webhook, health check or command.
RECOVERY_SECONDS = 5
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
        # Brought home by the process on its own, with no health check or command.
        wait_for(lambda: not spooled(spool_dir), "the spool replayed", timeout=60)

    summary = load["summary"]
    # Every valid request was answered 2xx with TwiML that parsed; every caller was queued.
    assert summary.problem_count == 0, summary.problems[:20]
    assert summary.calls_placed == LOAD["calls"]
    assert [outcome.call_sid for outcome in summary.calls if outcome.enqueues == 0] == []
    assert_recorded_exactly_once(app, summary)


def test_a_claimed_spool_is_not_overwritten_by_the_next_claim(fragile_app, fragile_provider, outage, app):
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


def test_gunicorn_records_a_spooled_caller_within_seconds_of_the_database_with_no_traffic(app, database_url, tmp_path):
    call_sid = new_call_sid()
    params = Provider.params(call_sid, CallStatus="in-progress")
    with service_with_outage(app, database_url, tmp_path) as (base_url, database, spool_dir):
        provider = HttpProvider(base_url, app.config["TWILIO_AUTH_TOKEN"])
        with database.down():
            assert provider.post("/twilio/voice?lang=en", {**params, "CallStatus": "ringing"}).status_code == 200
            assert provider.post("/twilio/menu?attempt=1&lang=en", {**params, "Digits": "9"}).status_code == 200
            assert spooled(spool_dir)
            time.sleep(3)
        wait_for(lambda: counts(app, call_sid) == (1, 2), "the spooled caller recorded", timeout=RECOVERY_SECONDS)


def test_a_spool_left_by_a_stopped_server_is_recorded_by_the_next_with_no_traffic(app, database_url, tmp_path):
    call_sid = new_call_sid()
    params = Provider.params(call_sid, CallStatus="in-progress")
    database = Outage(database_url)
    spool_dir = tmp_path / "spool"
    environment = outage_environment(database, spool_dir)
    try:
        with gunicorn_process(app, tmp_path, **environment) as (base_url, _):
            provider = HttpProvider(base_url, app.config["TWILIO_AUTH_TOKEN"])
            database.begin()
            assert provider.post("/twilio/voice?lang=en", {**params, "CallStatus": "ringing"}).status_code == 200
            assert provider.post("/twilio/menu?attempt=1&lang=en", {**params, "Digits": "9"}).status_code == 200
        # Stopped during the outage; the database answers again only once no server runs.
        assert spooled(spool_dir)
        database.end()
        assert counts(app, call_sid) == (0, 0)
        # Ready when the login page answers: no health check, which would replay the spool.
        with gunicorn_process(app, tmp_path, ready_path="/login", **environment):
            wait_for(lambda: counts(app, call_sid) == (1, 2), "the spool left behind recorded", timeout=RECOVERY_SECONDS)
    finally:
        database.close()
