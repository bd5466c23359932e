"""`/api/reports/…` and `/reports`: who may see them, the period parameters, the JSON bodies."""

from datetime import date, timedelta

import pytest

from helpline import clock
from helpline.periods import local_today
from tests.support.reports import add_calls, add_presence, add_user, local, make_call

DAY = date(2024, 3, 11)
PERIOD = {"from": DAY.isoformat(), "to": DAY.isoformat()}
REPORT_PATHS = [
    "/api/reports/summary", "/api/reports/summary.csv", "/api/reports/counselors", "/api/reports/counselors.csv",
    "/api/reports/breakdown", "/api/reports/breakdown.csv", "/api/reports/hours", "/api/reports/hours.csv",
    "/api/reports/trend", "/api/reports/trend.csv", "/api/reports/calls.csv",
]  # fmt: skip


def log_in_as(auth, role: str) -> None:
    auth.create(f"{role}1", role)
    auth.login(f"{role}1")


@pytest.mark.parametrize("path", REPORT_PATHS)
def test_the_anonymous_are_refused(client, path):
    response = client.get(path, query_string=PERIOD)
    assert response.status_code == 401 and response.json == {"error": "log in first"}


@pytest.mark.parametrize("path", [*REPORT_PATHS, "/reports"])
def test_counselors_are_refused(client, auth, path):
    log_in_as(auth, "counselor")
    assert client.get(path, query_string=PERIOD).status_code == 403


def test_the_report_page_sends_the_anonymous_to_log_in(client):
    response = client.get("/reports")
    assert response.status_code == 302 and response.location == "/login?next=/reports"


@pytest.mark.parametrize("role", ["supervisor", "admin"])
@pytest.mark.parametrize("path", [*REPORT_PATHS, "/reports"])
def test_supervisors_and_admins_see_every_report(client, auth, role, path):
    log_in_as(auth, role)
    assert client.get(path, query_string=PERIOD).status_code == 200


def test_summary_body(client, auth, app):
    add_calls(
        app,
        make_call(local(DAY, 9), wait_seconds=10, talk_seconds=300, wrap_up_seconds=60, categories=["anxiety"]),
        make_call(local(DAY, 10), wait_seconds=60, abandoned=True, category="elderly"),
    )
    log_in_as(auth, "supervisor")
    body = client.get("/api/reports/summary", query_string=PERIOD).json
    assert {"offered", "answered", "abandoned", "service_level", "average_speed_of_answer", "average_handle_time", "by_category"} <= set(body)
    assert (body["offered"], body["answered"], body["abandoned"]) == (2, 1, 1)
    assert body["service_level"] == 0.5 and body["average_speed_of_answer"] == 10.0 and body["average_handle_time"] == 360.0
    assert body["by_category"] == {"anxiety": 1, "elderly": 1}
    assert (body["service_level_seconds"], body["short_abandon_seconds"], body["target"]) == (20, 5, 0.8)
    assert body["period"]["from"] == body["period"]["to"] == "2024-03-11"
    assert body["period"]["start_utc"] == "2024-03-10T20:30:00+00:00"


def test_thresholds_changed_by_an_admin_apply(client, auth, app):
    from helpline.db import db
    from helpline.in_force import thresholds

    admin = add_user(app, "admin9", "admin")
    with app.app_context():
        thresholds.put("service_level_seconds", 60, admin)
        db.session.commit()
    add_calls(app, make_call(local(DAY, 9), wait_seconds=50, talk_seconds=30))
    log_in_as(auth, "supervisor")
    body = client.get("/api/reports/summary", query_string=PERIOD).json
    assert (body["service_level_seconds"], body["service_level"]) == (60, 1.0)


def test_the_other_reports(client, auth, app):
    counselor = add_user(app, "counselor7")
    add_presence(app, counselor, (local(DAY, 8), "available"), (local(DAY, 12), "offline"))
    add_calls(
        app,
        make_call(local(DAY, 9), wait_seconds=10, talk_seconds=300, wrap_up_seconds=60, categories=["anxiety"],
                  outcome="counselled", risk_level="low", counselor_id=counselor),
    )  # fmt: skip
    log_in_as(auth, "supervisor")
    counselors = client.get("/api/reports/counselors", query_string=PERIOD).json["counselors"]
    assert counselors == [
        {"counselor": "counselor7", "handled": 1, "talk_seconds": 300.0, "wrap_up_seconds": 60.0, "average_handle_time": 360.0,
         "average_wrap_up": 60.0, "staffed_seconds": pytest.approx(4 * 3600), "occupancy": pytest.approx(360 / (4 * 3600))}
    ]  # fmt: skip
    rows = client.get("/api/reports/breakdown", query_string=PERIOD).json["rows"]
    assert rows == [{"category": "anxiety", "outcome": "counselled", "risk_level": "low", "calls": 1}]
    hours = client.get("/api/reports/hours", query_string=PERIOD).json
    assert [row["hour"] for row in hours["hours"] if row["offered"]] == [9]
    assert [row["day"] for row in hours["weekdays"] if row["offered"]] == ["monday"]
    trend = client.get("/api/reports/trend", query_string={"from": "2024-03-10", "to": "2024-03-12"}).json
    assert [(day["date"], day["offered"], day["service_level"]) for day in trend["days"]] == [
        ("2024-03-10", 0, 0), ("2024-03-11", 1, 1.0), ("2024-03-12", 0, 0)
    ]  # fmt: skip
    assert trend["thresholds"] == {"service_level_seconds": 20, "short_abandon_seconds": 5, "target": 0.8}


def test_the_default_period_is_the_last_seven_days(client, auth, app):
    today = local_today(clock.now(), 210)
    log_in_as(auth, "supervisor")
    period = client.get("/api/reports/summary").json["period"]
    assert (period["from"], period["to"]) == ((today - timedelta(days=6)).isoformat(), today.isoformat())
    period = client.get("/api/reports/summary", query_string={"to": "2024-03-11"}).json["period"]
    assert (period["from"], period["to"]) == ("2024-03-05", "2024-03-11")


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ({"from": "2024-13-01", "to": "2024-03-11"}, "from: must be a date as YYYY-MM-DD"),
        ({"from": "2024-03-01", "to": "11/03/2024"}, "to: must be a date as YYYY-MM-DD"),
        ({"from": "20240301", "to": "2024-03-11"}, "from: must be a date as YYYY-MM-DD"),
        ({"from": "2024-W10-1", "to": "2024-03-11"}, "from: must be a date as YYYY-MM-DD"),
        ({"from": "2024-03-01", "to": "2024-03-1\u0661"}, "to: must be a date as YYYY-MM-DD"),
        ({"from": "2024-03-11", "to": "2024-03-10"}, "to: must not be before from"),
        ({"from": "2023-01-01", "to": "2024-01-02"}, "to: the period must not be longer than 366 days"),
        ({"from": "2024-03-01", "to": "2024-03-11", "format": "xml"}, "format: must be one of json, csv"),
    ],
)
def test_a_bad_period_is_refused_naming_the_parameter(client, auth, query, reason):
    log_in_as(auth, "supervisor")
    for path in ("/api/reports/summary", "/api/reports/trend", "/api/reports/counselors"):
        response = client.get(path, query_string=query)
        assert response.status_code == 400 and response.json == {"error": reason}


def test_a_leap_year_is_not_too_long(client, auth):
    log_in_as(auth, "supervisor")
    assert client.get("/api/reports/trend", query_string={"from": "2024-01-01", "to": "2024-12-31"}).status_code == 200
    assert client.get("/api/reports/calls.csv", query_string={"from": "2024-01-01", "to": "2025-01-01"}).status_code == 400


def test_the_report_page_refuses_a_bad_period_with_the_reason(client, auth):
    log_in_as(auth, "supervisor")
    response = client.get("/reports", query_string={"from": "2024-03-11", "to": "2024-03-01"})
    assert response.status_code == 400
    assert "The end of the period must not be before its start." in response.get_data(as_text=True)


def test_a_report_does_not_hold_the_write_lock(app, client, auth, provider, database_url):
    """On SQLite, a report reads in a deferred transaction: a webhook can write meanwhile."""
    import sqlite3

    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL readers never block writers")
    auth.create("supervisor9", "supervisor")
    auth.login("supervisor9")
    from helpline.db import db, read_only_transaction
    from helpline.models import Call

    with app.app_context():
        read_only_transaction()
        db.session.execute(db.select(Call)).all()
        # While this reader's transaction is open, another connection can still write.
        writer = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"), timeout=0.5)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("ROLLBACK")
        writer.close()
        db.session.rollback()
    assert client.get("/api/reports/summary").status_code == 200


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ({"from": "0001-01-01", "to": "0001-01-02"}, "to: must be a day from 1900-01-01 to 2999-12-31"),
        ({"from": "9999-12-30", "to": "9999-12-31"}, "to: must be a day from 1900-01-01 to 2999-12-31"),
    ],
)
def test_the_calendars_ends_are_refused_not_a_server_error(client, auth, query, reason):
    # Found by the schemathesis run: local midnight of 0001-01-01 is before any UTC datetime.
    log_in_as(auth, "supervisor")
    for path in REPORT_PATHS:
        response = client.get(path, query_string=query)
        assert response.status_code == 400 and response.json == {"error": reason}, path
