"""`kill -9` of the gunicorn worker under load: whatever it acknowledged is kept.

A webhook is answered only once it is committed or fsynced into the spool, so a worker killed
at any moment loses only requests it never answered; the master starts a new worker and the
load goes on, and a spool the dead worker left is replayed by the new one.
"""

import os
import signal
import time

from helpline import background
from helpline.emulator import Range
from tests.support.load import assert_recorded_exactly_once, background_load
from tests.support.outage import counts, gunicorn_pids, replaying_elsewhere, service_with_outage, spooled
from tests.support.provider import Provider, new_call_sid
from tests.support.servers import wait_for

LOAD = {
    "rate": 5,
    "calls": 5 * 24,
    "max_live": 100,
    "time_scale": 0.01,
    "wait": Range(10, 120),
    "talk": Range(30, 200),
    "play": Range(10, 20),
    "seed": 991,
    "timeout": 30,
}


def kill_worker(port: int) -> int:
    """SIGKILL the worker; returns the new worker's pid once the master has started it."""
    _, (worker,) = gunicorn_pids(port)
    os.kill(worker, signal.SIGKILL)
    return wait_for(lambda: next((pid for pid in gunicorn_pids(port)[1] if pid != worker), None), "a new worker", timeout=30)


def test_a_worker_killed_under_load_loses_nothing_it_acknowledged(app, database_url, tmp_path):
    with service_with_outage(app, database_url, tmp_path) as (base_url, database, spool_dir):
        port = int(base_url.rsplit(":", 1)[1])
        with background_load(app, base_url, **LOAD) as load:
            time.sleep(4)
            kill_worker(port)
            time.sleep(4)
            # Killed while the database is down: its spool outlives it.
            with database.down():
                wait_for(lambda: spooled(spool_dir), "webhooks spooled", timeout=15)
                time.sleep(2)
                dead_workers_spool = spooled(spool_dir)
                kill_worker(port)
                time.sleep(3)
        # The new worker brings it home on its own, with no health check or command.
        wait_for(lambda: not spooled(spool_dir), "the dead worker's spool replayed", timeout=60)

    summary = load["summary"]
    assert dead_workers_spool
    assert summary.calls_placed == LOAD["calls"]
    # The only problems: requests in flight when a worker died, which got no answer at all.
    assert summary.problem_count == len(summary.problems)
    unanswered = [problem for problem in summary.problems if ": no answer (" in problem]
    assert unanswered == summary.problems
    assert len(unanswered) <= 2 * LOAD["max_live"]
    # The load went on after each kill: most calls ran to their end.
    assert summary.calls_completed >= 0.8 * LOAD["calls"]
    assert_recorded_exactly_once(app, summary, finished=False)


def test_a_spool_is_synced_file_and_directory_before_the_answer(fragile_app, fragile_provider, outage, monkeypatch):
    """What `kill -9` (or a power cut) right after the answer must find on disk."""
    synced = []
    real_fsync = os.fsync

    def recording_fsync(descriptor):
        synced.append(os.fstat(descriptor).st_ino)
        return real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    spool_dir = fragile_app.extensions["helpline.spool"].directory
    with outage.down():
        answer = fragile_provider.post("/twilio/status", Provider.params(new_call_sid(), CallStatus="completed"))
        assert background.stop(fragile_app)
        (spool_file,) = spooled(spool_dir)
    assert answer.status_code == 204
    assert {spool_file.stat().st_ino, spool_dir.stat().st_ino, spool_dir.parent.stat().st_ino} <= set(synced)


def test_a_torn_line_left_by_a_killed_worker_does_not_block_the_rest(fragile_app, fragile_provider, outage, app):
    """A worker killed mid-append leaves half a line (never acknowledged); a later process
    with the same pid appends after it; a replay records every whole event."""
    spool = fragile_app.extensions["helpline.spool"]
    first, second = new_call_sid(), new_call_sid()
    # Not claimed by a replay meanwhile: the next webhook appends to the same file.
    with outage.down(), replaying_elsewhere(spool.directory):
        fragile_provider.post("/twilio/status", Provider.params(first, CallStatus="completed", CallDuration="5"))
        (spool_file,) = spool.directory.glob("*.jsonl")
        whole = spool_file.read_bytes()
        spool_file.write_bytes(whole + whole[: len(whole) // 2])
        fragile_provider.post("/twilio/status", Provider.params(second, CallStatus="completed", CallDuration="6"))

    wait_for(lambda: not spool.pending(), "the spool replayed")
    assert counts(app, first) == (1, 1) and counts(app, second) == (1, 1)
