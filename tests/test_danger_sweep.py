"""The danger-now sweep: supervisors alerted once about each danger-now caller waiting too long."""

from datetime import timedelta

from helpline import clock
from helpline.danger_sweep import alert_long_waits
from tests.support.calls import queue_caller
from tests.support.sockets import connect, events, received


def test_a_danger_now_caller_waiting_too_long_alerts_once(app, client, auth, provider):
    auth.create("supervisor1", "supervisor")
    auth.login("supervisor1")
    supervisor = connect(app, client)
    danger = queue_caller(provider, "9")
    queue_caller(provider, "1")
    received(supervisor)
    later = clock.now() + timedelta(seconds=app.config["DANGER_WAIT_ALERT_SECONDS"] + 1)
    with app.app_context():
        assert alert_long_waits(clock.now()) == []
        assert alert_long_waits(later) == [danger]
        assert alert_long_waits(later + timedelta(seconds=30)) == []
    (alert,) = events(supervisor, "alert")
    assert alert["kind"] == "danger_now_waiting" and alert["call_sid"] == danger
    assert alert["params"] == {"seconds": app.config["DANGER_WAIT_ALERT_SECONDS"] + 1}
    supervisor.disconnect()
