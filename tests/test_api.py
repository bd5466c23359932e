"""The JSON API: login, the queue, the call log."""

from datetime import timedelta

import pytest
from flask import Blueprint

from helpline import live
from helpline.auth import roles_required
from tests.support.calls import NOW, queue_caller
from tests.support.provider import Provider, new_call_sid

CALL_FIELDS = {
    "call_sid", "status", "category", "priority", "queue_result", "abandoned", "wait_seconds", "duration_seconds",
    "counselor", "risk_level", "outcome", "notes", "repeat_caller", "started_at", "ended_at",
}


@pytest.mark.parametrize("path", ["/api/queue", "/api/calls", f"/api/calls/{'CA' + '0' * 32}"])
def test_anonymous_gets_401(client, path):
    response = client.get(path)
    assert response.status_code == 401 and response.json == {"error": "log in first"}


def test_login(client, auth):
    auth.create()
    assert auth.login(password="wrong password!").status_code == 401
    assert auth.login(username="nobody").status_code == 401
    response = auth.login()
    assert response.status_code == 200 and response.json == {"username": "counselor1", "role": "counselor"}
    assert client.get("/api/queue").status_code == 200
    assert auth.logout().status_code == 200
    assert client.get("/api/queue").status_code == 401


@pytest.mark.parametrize("body", [None, {}, {"username": "counselor1"}, {"username": 1, "password": "x"}, ["a"]])
def test_login_needs_username_and_password(client, auth, body):
    auth.create()
    response = client.post("/api/login", json=body) if body is not None else client.post("/api/login", data="x")
    assert response.status_code == 400


def test_deactivated_user_cannot_log_in(app, client, auth):
    from helpline.db import db
    from helpline.models import User

    auth.create()
    with app.app_context():
        db.session.query(User).update({"active": False})
        db.session.commit()
    assert auth.login().status_code == 401


def test_roles_required_refuses_other_roles(app, auth, client):
    guarded = Blueprint("guarded", __name__)
    guarded.add_url_rule("/api/supervisors-only", "only", roles_required("supervisor")(lambda: "yes"))
    app.register_blueprint(guarded)
    auth.create("counselor1", "counselor")
    auth.create("supervisor1", "supervisor")
    assert client.get("/api/supervisors-only").status_code == 401
    auth.login("counselor1")
    assert client.get("/api/supervisors-only").status_code == 403
    auth.login("supervisor1")
    assert client.get("/api/supervisors-only").status_code == 200
    with pytest.raises(ValueError):
        roles_required("janitor")


def test_queue_in_served_order_with_a_growing_version(app, client, auth, provider, at):
    auth.create()
    auth.login()
    empty = client.get("/api/queue").json
    assert empty["calls"] == []
    first = queue_caller(provider, "1", "+989120000001")
    at(NOW + timedelta(seconds=5))
    danger = queue_caller(provider, "9", "+989120000002")
    # The version grows with each snapshot pushed, made just after the webhook answers.
    assert live.pushes(app).queue.settle()
    body = client.get("/api/queue").json
    assert body["version"] > empty["version"]
    assert [entry["call_sid"] for entry in body["calls"]] == [danger, first]
    entry = body["calls"][1]
    assert entry["caller"] == "+98********01"
    assert entry["enqueued_at"] == NOW.isoformat() and entry["waiting_seconds"] == 5
    assert {"call_sid", "category", "priority", "enqueued_at", "repeat_caller", "caller"} <= set(entry)
    provider.post("/twilio/queue-result", Provider.params(danger, QueueResult="hangup", QueueTime="5"))
    assert live.pushes(app).queue.settle()
    after = client.get("/api/queue").json
    assert after["version"] > body["version"] and [e["call_sid"] for e in after["calls"]] == [first]


def test_one_call(client, auth, provider):
    call_sid = queue_caller(provider, "2")
    # Any call, for a supervisor (a counselor reads their own: tests/test_call_access.py).
    auth.create("supervisor1", "supervisor")
    auth.login("supervisor1")
    body = client.get(f"/api/calls/{call_sid}").json
    assert CALL_FIELDS <= set(body)
    assert (body["call_sid"], body["category"], body["priority"], body["counselor"]) == (call_sid, "children_family", "normal", None)
    assert body["caller"] == "+98********67"
    assert client.get(f"/api/calls/{new_call_sid()}").status_code == 404


def test_calls_in_a_period_paged(client, auth, provider, at):
    days = [NOW - timedelta(days=2), NOW - timedelta(days=1), NOW - timedelta(days=1, hours=1), NOW]
    sids = []
    for moment in days:
        at(moment)
        sids.append(queue_caller(provider))
    auth.create("supervisor1", "supervisor")
    auth.login("supervisor1")
    yesterday = (NOW - timedelta(days=1)).date().isoformat()
    body = client.get(f"/api/calls?from={yesterday}&to={yesterday}").json
    assert body["total"] == 2 and [c["call_sid"] for c in body["calls"]] == [sids[1], sids[2]]
    everything = client.get(f"/api/calls?from={(NOW - timedelta(days=2)).date()}&to={NOW.date()}&per_page=3&page=2").json
    assert everything["total"] == 4 and [c["call_sid"] for c in everything["calls"]] == [sids[0]]
    assert client.get("/api/calls").json["total"] == 1  # today by default


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2026-13-01", "from"), ("from=2026-W48-1", "from"), ("to=yesterday", "to"), ("from=2026-11-28&to=2026-11-01", "to"),
        ("page=0", "page"), ("per_page=500", "per_page"), ("page=x", "page"), ("page=²", "page"),
    ],
)
def test_bad_call_queries_get_400_naming_the_field(client, auth, query, field):
    auth.create()
    auth.login()
    response = client.get(f"/api/calls?{query}")
    assert response.status_code == 400 and response.json["error"].startswith(field)


@pytest.mark.parametrize(
    "query, field",
    [("page=100000000000000000000", "page"), ("page=100001", "page"), ("from=9999-12-31", "from"), ("to=20261128", "to"), ("from=2026-W48-1", "from")],
)
def test_out_of_range_call_queries_get_400_not_a_server_error(client, auth, query, field):
    # Found by the schemathesis run: an OFFSET past the database's integers, the day after 9999-12-31;
    # and only the plain date form the document gives (format: date), not week dates.
    auth.create()
    auth.login()
    response = client.get(f"/api/calls?{query}")
    assert response.status_code == 400 and response.json["error"].startswith(field)


def test_calls_are_listed_by_the_local_day_they_started_on(client, auth, provider, at):
    # The helpline's day turns at local midnight: 20:30 UTC at the testing offset (UTC+03:30).
    before_midnight, after_midnight = NOW.replace(hour=20, minute=29), NOW.replace(hour=20, minute=31)
    at(before_midnight)
    late = queue_caller(provider)
    at(after_midnight)
    early = queue_caller(provider)
    auth.create("supervisor1", "supervisor")
    auth.login("supervisor1")
    listed = client.get("/api/calls?from=2026-11-28&to=2026-11-28").json
    assert [call["call_sid"] for call in listed["calls"]] == [late]
    assert [call["call_sid"] for call in client.get("/api/calls").json["calls"]] == [early]  # today, the 29th
