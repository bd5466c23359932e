"""The wallboard page and `GET /api/wallboard`: who may see them, and today's figures from a
hand-made set of calls around the local day's edges."""

import posixpath
import re
from datetime import datetime, timedelta, timezone

import pytest

from helpline import clock
from helpline.call_queue import bump_counter
from helpline.db import db
from helpline.in_force import thresholds
from helpline.models import Call, User
from helpline.wallboard import today_period
from tests.support.provider import new_call_sid
from tests.support.reports import provider_bridged

# 13:30 in Tehran (UTC+3:30): the local day began at 20:30 UTC the day before.
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=timezone.utc)
LOCAL_MIDNIGHT = datetime(2026, 3, 9, 20, 30, tzinfo=timezone.utc)
NUMBER = "+989121234567"


@pytest.fixture
def at_now(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


def add_call(enqueued_at: datetime | None, *, started_at: datetime | None = None, **fields) -> str:
    """A call as the webhooks leave it; enqueued, unless `enqueued_at` is None (an IVR drop-off)."""
    call_sid = new_call_sid()
    started = started_at or (enqueued_at - timedelta(seconds=20))
    defaults = {"priority": "normal", "caller_masked": "+98********67", "updated_at": started}
    db.session.add(Call(call_sid=call_sid, started_at=started, enqueued_at=enqueued_at, **{**defaults, **fields}))
    return call_sid


def answered(enqueued_at: datetime, wait: int) -> dict:
    done = enqueued_at + timedelta(seconds=wait + 300)
    return {"answered_at": enqueued_at + timedelta(seconds=wait), "wait_seconds": wait, "ended_at": done,
            "queue_result": "bridged", "queue_result_rank": 3, "status": "completed"}


def hung_up(enqueued_at: datetime, wait: int) -> dict:
    return {"abandoned": True, "wait_seconds": wait, "ended_at": enqueued_at + timedelta(seconds=wait),
            "queue_result": "hangup", "queue_result_rank": 2, "status": "completed"}


def calls_today_and_yesterday(app) -> None:
    with app.app_context():
        morning = NOW - timedelta(hours=3)
        add_call(morning, **answered(morning, 10))  # within the 20 s threshold
        add_call(morning + timedelta(minutes=5), **answered(morning, 40))  # answered late
        add_call(morning + timedelta(minutes=10), **hung_up(morning, 30))  # abandoned
        add_call(morning + timedelta(minutes=15), **hung_up(morning, 2))  # a short abandon
        just_after_midnight = LOCAL_MIDNIGHT + timedelta(minutes=1)
        add_call(just_after_midnight, **answered(just_after_midnight, 5))  # today, local time
        # Waiting now: a danger-now caller for 90 s, a routine one for 30 s.
        add_call(NOW - timedelta(seconds=90), priority="emergency", emergency=True, menu_key="9")
        add_call(NOW - timedelta(seconds=30))
        # Not today: yesterday evening local time (still "today" in UTC), and yesterday.
        just_before_midnight = LOCAL_MIDNIGHT - timedelta(minutes=1)
        add_call(just_before_midnight, **answered(just_before_midnight, 5))
        add_call(NOW - timedelta(days=1), **hung_up(NOW - timedelta(days=1), 50))
        # Hung up in the menu: never offered.
        add_call(None, started_at=NOW - timedelta(hours=1), ended_at=NOW - timedelta(hours=1), status="completed")
        db.session.commit()


def counselors(app, *states_and_flags) -> None:
    with app.app_context():
        for number, (state, active) in enumerate(states_and_flags, start=1):
            user = User(username=f"counselor{number}", role="counselor", presence=state, active=active)
            user.set_password("correct horse battery")
            db.session.add(user)
        db.session.commit()


def supervisor_client(client, auth, role: str = "supervisor", language: str = "en"):
    auth.create(f"{role}1", role, language=language)
    auth.login(f"{role}1")
    return client


def test_the_local_day_is_the_helplines(app, at_now):
    with app.app_context():
        period = today_period(NOW)
        assert (period.start_utc, period.end_utc) == (LOCAL_MIDNIGHT, LOCAL_MIDNIGHT + timedelta(days=1))
        # 20:00 UTC on the 10th is 23:30 there, the same day; 21:00 UTC is already the 11th.
        assert today_period(NOW.replace(hour=20)).start_utc == LOCAL_MIDNIGHT
        assert today_period(NOW.replace(hour=21)).start_utc == LOCAL_MIDNIGHT + timedelta(days=1)


def test_figures_for_today(app, client, auth, at_now):
    calls_today_and_yesterday(app)
    counselors(app, ("available", True), ("on_call", True), ("on_call", True), ("break", True), ("available", False))
    body = supervisor_client(client, auth).get("/api/wallboard").json

    assert body["queue"] == {"waiting": 2, "longest_wait_seconds": 90, "emergency_waiting": 1}
    # Every state is there; inactive counselors and supervisors are not counted.
    assert body["counselors"] == {"available": 1, "on_call": 2, "wrap_up": 0, "break": 1, "offline": 0}
    # Offered: the five of the day that are over, and the two waiting. Answered within 20 s:
    # two, out of seven less the short abandon.
    assert body["today"] == {
        "offered": 7, "answered": 3, "abandoned": 1, "short_abandons": 1,
        "service_level": pytest.approx(2 / 6), "target": 0.8, "service_level_seconds": 20,
    }
    assert body["server_time"] == NOW.isoformat()
    assert isinstance(body["version"], int)
    assert NUMBER not in str(body) and NUMBER[1:] not in str(body)


def test_callers_the_provider_bridged_from_the_queue_are_answered_today(app, client, auth, at_now):
    """Someone dequeued them with `<Dial><Queue>`: answered, QueueTime after reaching the queue."""
    calls_today_and_yesterday(app)
    provider_bridged(app, NOW - timedelta(hours=2), 12)  # within the 20 s threshold
    provider_bridged(app, NOW - timedelta(hours=1), 50)  # answered late
    provider_bridged(app, LOCAL_MIDNIGHT - timedelta(minutes=10), 5)  # yesterday, local time
    body = supervisor_client(client, auth).get("/api/wallboard").json
    assert body["queue"] == {"waiting": 2, "longest_wait_seconds": 90, "emergency_waiting": 1}
    # The seven of test_figures_for_today and the two bridged today; answered within 20 s:
    # two of those seven and one bridged, out of nine less the short abandon.
    assert body["today"] == {
        "offered": 9, "answered": 5, "abandoned": 1, "short_abandons": 1,
        "service_level": pytest.approx(3 / 8), "target": 0.8, "service_level_seconds": 20,
    }


def test_saved_settings_decide_the_service_level(app, client, auth, at_now):
    calls_today_and_yesterday(app)
    supervisor_client(client, auth)
    with app.app_context():
        admin_id = db.session.scalar(db.select(User.id))
        thresholds.put("service_level_seconds", 45, admin_id)
        thresholds.put("service_level_target", 0.5, admin_id)
        thresholds.put("short_abandon_seconds", 1, admin_id)
        db.session.commit()
    today = client.get("/api/wallboard").json["today"]
    # The 40 s answer is now within the threshold, and the 2 s hang-up a real abandon.
    assert today == {
        "offered": 7, "answered": 3, "abandoned": 2, "short_abandons": 0,
        "service_level": pytest.approx(3 / 7), "target": 0.5, "service_level_seconds": 45,
    }


def test_no_calls_yet_is_no_service_level(app, client, auth, at_now):
    body = supervisor_client(client, auth).get("/api/wallboard").json
    assert body["queue"] == {"waiting": 0, "longest_wait_seconds": 0, "emergency_waiting": 0}
    assert body["counselors"] == {"available": 0, "on_call": 0, "wrap_up": 0, "break": 0, "offline": 0}
    assert body["today"]["offered"] == 0 and body["today"]["service_level"] is None


def test_the_version_grows_with_queue_and_presence(app, client, auth):
    supervisor_client(client, auth)
    first = client.get("/api/wallboard").json["version"]
    auth.create("counselor1")
    counselor = app.test_client()
    counselor.post("/api/login", json={"username": "counselor1", "password": "correct horse battery"})
    counselor.put("/api/presence", json={"state": "available"})
    second = client.get("/api/wallboard").json["version"]
    assert second > first
    with app.app_context():
        add_call(clock.now())
        bump_counter("queue")
        db.session.commit()
    assert client.get("/api/wallboard").json["version"] > second


@pytest.mark.parametrize("path", ["/wallboard", "/api/wallboard"])
def test_supervisors_and_admins_only(client, auth, path):
    anonymous = client.get(path)
    if path.startswith("/api/"):
        assert anonymous.status_code == 401 and anonymous.json["error"]
    else:
        assert anonymous.status_code == 302 and "/login?next=" in anonymous.headers["Location"]
    auth.create("counselor1")
    auth.login("counselor1")
    assert client.get(path).status_code == 403
    auth.logout()
    for role in ("supervisor", "admin"):
        auth.create(f"{role}1", role)
        auth.login(f"{role}1")
        assert client.get(path).status_code == 200
        auth.logout()


def test_the_page_has_the_parts_and_its_scripts(app, client, auth):
    supervisor_client(client, auth)
    with app.app_context():
        db.session.execute(db.update(User).values(language="en"))
        db.session.commit()
    html = client.get("/wallboard").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html
    for part in ('id="danger"', 'id="queue-waiting"', 'id="queue-longest"', 'id="queue-danger"', 'id="today-offered"',
                 'id="service-level"', 'id="counselor-list"', 'data-count-for="wrap_up"', 'id="alert-list"',
                 'aria-live="assertive"', 'id="page-config"', 'id="page-words"'):
        assert part in html
    assert '<script src="/vendor/socket.io.min.js">' in html
    assert '<script type="module" src="/static/wallboard/main.js">' in html
    assert "High risk logged" in html and "Below target" in html


def test_every_module_the_page_imports_is_served(client):
    """From wallboard/main.js through every import, its own and the shared ones (static/common/)."""
    served, waiting = set(), ["/static/wallboard/main.js"]
    while waiting:
        path = waiting.pop()
        with client.get(path) as response:
            assert response.status_code == 200, path
            source = response.get_data(as_text=True)
        served.add(path)
        for imported in re.findall(r'^import .* from "(\.[^"]+)";$', source, re.M):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), imported))
            if target not in served:
                waiting.append(target)
    assert "/static/common/live.js" in served and "/static/wallboard/figures.js" in served
    with client.get("/static/wallboard/wallboard.css") as response:
        assert response.status_code == 200 and response.get_data()


def test_the_page_follows_the_users_language(client, auth):
    html = supervisor_client(client, auth, language="fa").get("/wallboard").get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in html
