"""Bringing the spool home with no traffic: each process retries on its own, with backoff, while
its spool holds webhooks; dashboards and the wallboard are told meanwhile."""

import logging
import time
from datetime import datetime, timezone

from helpline import background
from helpline.webhook_recording import REPLAY_RETRY_CAP_SECONDS, replayer
from tests.support.outage import counts, replaying_elsewhere
from tests.support.provider import Provider, new_call_sid
from tests.support.servers import wait_for
from tests.support.sockets import connect, events
from tests.support.users import AuthActions

# What the issue asks: spooled webhooks recorded within this many seconds of the database
# answering again, with no further webhook, health check or command.
RECOVERY_SECONDS = 5


def danger_now_caller(provider) -> str:
    call_sid = new_call_sid()
    provider.post("/twilio/voice?lang=en", Provider.params(call_sid, CallStatus="ringing"))
    provider.post("/twilio/menu?attempt=1&lang=en", Provider.params(call_sid, CallStatus="in-progress", Digits="9"))
    return call_sid


def test_a_caller_spooled_in_an_outage_is_recorded_within_seconds_of_the_database_with_no_traffic(
    fragile_app, fragile_provider, outage, app, caplog
):
    spool = fragile_app.extensions["helpline.spool"]
    with outage.down():
        call_sid = danger_now_caller(fragile_provider)
        assert spool.backlog().webhooks == 2
        # Long enough for the retries to back off to their cap.
        with caplog.at_level(logging.WARNING, logger="helpline.webhook_recording"):
            time.sleep(3 * REPLAY_RETRY_CAP_SECONDS)
        attempts = [record for record in caplog.records if "spool replay failed" in record.getMessage()]
        # It kept trying, and backed off: far fewer attempts than a busy loop would make.
        assert 2 <= len(attempts) <= 3 * REPLAY_RETRY_CAP_SECONDS / 0.25
    wait_for(lambda: counts(app, call_sid) == (1, 2), "the spooled caller recorded", timeout=RECOVERY_SECONDS)
    wait_for(lambda: not spool.pending(), "the spool emptied", timeout=RECOVERY_SECONDS)
    # Nothing left to do: the retrying thread has ended.
    wait_for(lambda: not replayer(fragile_app)._running, "the replayer ended")


def test_a_spool_left_by_a_process_that_stopped_is_recorded_once_another_serves(
    fragile_settings, fragile_app, fragile_provider, outage, app, app_factory
):
    with outage.down():
        call_sid = danger_now_caller(fragile_provider)
        # The process stops during the outage, its webhooks still spooled.
        assert background.stop(fragile_app)
    assert fragile_app.extensions["helpline.spool"].pending()
    # The next process, on the same spool: no webhook comes, no health check, no command.
    successor = app_factory(fragile_settings)
    background.serve(successor)
    wait_for(lambda: counts(app, call_sid) == (1, 2), "the spool left behind recorded", timeout=RECOVERY_SECONDS)


def test_dashboards_are_told_while_webhooks_wait_and_when_they_are_recorded(fragile_app, fragile_provider, outage, app):
    client = fragile_app.test_client()
    auth = AuthActions(client, fragile_app)
    auth.create("supervisor1", "supervisor")
    assert auth.login("supervisor1").status_code == 200
    socket = connect(fragile_app, client)
    assert socket.is_connected()
    statuses = []

    def told(condition) -> bool:
        statuses.extend(events(socket, "database"))
        return bool(statuses) and condition(statuses[-1])

    # While the database answers, nothing is said about it.
    assert events(socket, "database") == []
    spool = fragile_app.extensions["helpline.spool"]
    with replaying_elsewhere(spool.directory):
        with outage.down():
            spooled_from = datetime.now(timezone.utc)
            danger_now_caller(fragile_provider)
            wait_for(lambda: told(lambda status: status["waiting_webhooks"] == 2), "the outage told")
        unreachable = statuses[-1]
        assert unreachable["reachable"] is False
        assert spooled_from <= datetime.fromisoformat(unreachable["since"]) <= datetime.now(timezone.utc)
        # The database answers, and another process is still bringing the spool home: a
        # dashboard opened meanwhile is told on connecting.
        late = connect(fragile_app, client)
        assert events(late, "database") == [unreachable]
    wait_for(lambda: told(lambda status: status["reachable"]), "the recovery told", timeout=RECOVERY_SECONDS)
    assert statuses[-1] == {"reachable": True, "since": None, "waiting_webhooks": 0}
    assert events(late, "database") == [statuses[-1]]
    # A dashboard opened now is told nothing.
    latest = connect(fragile_app, client)
    assert events(latest, "database") == []
    for opened in (socket, late, latest):
        opened.disconnect()
