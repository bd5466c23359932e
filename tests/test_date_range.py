"""A day outside the supported range (1900-01-01 to 2999-12-31) in any query or form is a 400,
never a 500: the calendar's ends overflowed where a day became a moment (`/review?from=0001-01-01`
answered 500). The range's own ends still work, in every language's calendar."""

import pytest
from sqlalchemy import select

from helpline import clock
from helpline.db import db
from helpline.models import Call, User
from tests.support.provider import new_call_sid

DATED_PAGES = ["/review", "/reports"]
DATED_API = [
    "/api/calls", "/api/reports/summary", "/api/reports/summary.csv", "/api/reports/counselors",
    "/api/reports/counselors.csv", "/api/reports/breakdown", "/api/reports/breakdown.csv", "/api/reports/hours",
    "/api/reports/hours.csv", "/api/reports/trend", "/api/reports/trend.csv", "/api/reports/calls.csv",
]  # fmt: skip
OUTSIDE = [
    {"from": "0001-01-01"}, {"from": "0001-01-02", "to": "0001-01-03"}, {"to": "9999-12-31"},
    {"from": "9999-12-30", "to": "9999-12-31"}, {"from": "1899-12-31", "to": "1900-01-01"},
    {"from": "2999-12-31", "to": "3000-01-01"},
]  # fmt: skip
ENDS = [{"from": "1900-01-01", "to": "1900-01-07"}, {"from": "2999-12-25", "to": "2999-12-31"}]


@pytest.fixture
def supervisor(auth):
    auth.create("supervisor1", "supervisor")
    auth.login("supervisor1")


def set_language(app, username: str, language: str) -> None:
    with app.app_context():
        db.session.scalar(select(User).where(User.username == username)).language = language
        db.session.commit()


@pytest.mark.usefixtures("supervisor")
@pytest.mark.parametrize("query", OUTSIDE)
@pytest.mark.parametrize("path", DATED_PAGES + DATED_API)
def test_a_day_outside_the_range_is_400(client, path, query):
    response = client.get(path, query_string=query)
    assert response.status_code == 400, (path, query, response.status_code)
    reason = response.json["error"] if response.is_json else response.text
    assert "1900-01-01" in reason and "2999-12-31" in reason


@pytest.mark.parametrize("language", ["fa", "en", "tg"])
@pytest.mark.parametrize("query", ENDS)
def test_the_ranges_ends_are_served_in_every_language(app, client, auth, supervisor, query, language):
    set_language(app, "supervisor1", language)
    for path in DATED_PAGES + DATED_API:
        assert client.get(path, query_string=query).status_code == 200, (path, query)


@pytest.mark.usefixtures("supervisor")
def test_no_get_route_answers_500_to_the_calendars_ends(app, client):
    """Every route without path parameters, given the calendar's ends in the usual date names."""
    rules = [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"]
    for rule in rules:
        for query in OUTSIDE:
            response = client.get(rule.rule, query_string={**query, "day": query.get("from", query.get("to"))})
            assert response.status_code < 500, (rule.rule, query)


def test_a_follow_up_outside_the_range_is_400(app, client, auth):
    auth.create()
    auth.login()
    call_sid = new_call_sid()
    with app.app_context():
        counselor_id = db.session.scalar(select(User.id).where(User.username == "counselor1"))
        now = clock.now()
        db.session.add(Call(call_sid=call_sid, started_at=now, taken_at=now, ended_at=now, counselor_id=counselor_id))
        db.session.commit()
    for day in ("3000-01-01", "9999-12-31"):
        response = client.patch(f"/api/calls/{call_sid}", json={"follow_up_on": day})
        assert response.status_code == 400 and response.json["field"] == "follow_up_on"
    assert client.patch(f"/api/calls/{call_sid}", json={"follow_up_on": "2999-12-31"}).status_code == 200
