"""`/review`: high-risk calls in a period and follow-ups due; who may see the review pages."""

import re
from datetime import date, datetime, timedelta, timezone

import pytest

from tests.support.review import NOW, TODAY, assert_no_number, audit_records, call_sids_in, logged_in, make_call
from tests.support.users import csrf_token

# Roles: every review route, for the anonymous, a counselor, a supervisor and an admin.

PAGES = ["/review", "/audit", "/calls/{sid}"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_the_anonymous_to_log_in(app, client, provider, path):
    response = client.get(path.format(sid=make_call(app, provider)))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", PAGES)
def test_pages_refuse_counselors(app, client, auth, provider, path):
    logged_in(auth, "counselor1", "counselor")
    response = client.get(path.format(sid=make_call(app, provider)))
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["supervisor", "admin"])
@pytest.mark.parametrize("path", PAGES)
def test_pages_are_for_supervisors_and_admins(app, client, auth, provider, path, role):
    logged_in(auth, f"{role}1", role)
    response = client.get(path.format(sid=make_call(app, provider)))
    assert response.status_code == 200 and response.mimetype == "text/html"


def test_the_reveal_refuses_the_anonymous_and_counselors(app, client, auth, provider):
    call_sid = make_call(app, provider)
    token = csrf_token(client.get("/login").data)
    anonymous_form = client.post(f"/calls/{call_sid}/reveal", data={"reason": "curious", "csrf_token": token})
    assert anonymous_form.status_code == 302 and anonymous_form.headers["Location"].startswith("/login?next=")
    assert client.post(f"/api/calls/{call_sid}/reveal", json={"reason": "curious"}).status_code == 401
    assert client.get(f"/calls/{call_sid}/reveal").headers["Location"].startswith("/login?next=")

    logged_in(auth, "counselor1", "counselor")
    token = csrf_token(client.get("/dashboard").data)
    counselor_form = client.post(f"/calls/{call_sid}/reveal", data={"reason": "curious", "csrf_token": token})
    counselor_json = client.post(f"/api/calls/{call_sid}/reveal", json={"reason": "curious"})
    assert counselor_form.status_code == 403 and counselor_json.status_code == 403
    assert client.get(f"/calls/{call_sid}/reveal").status_code == 403
    for response in (anonymous_form, counselor_form, counselor_json):
        assert_no_number(response.get_data(as_text=True))
    assert audit_records(app) == []


# High-risk calls.


def test_high_risk_calls_of_the_period_newest_first(app, client, provider, supervisor, frozen):
    counselor = "supervisor1"  # any user will do as the one who logged them
    imminent = make_call(app, provider, counselor=counselor, risk_level="imminent", started_at=NOW - timedelta(hours=1),
                         categories=["anxiety"], outcome="counselled")
    high = make_call(app, provider, risk_level="high", started_at=NOW - timedelta(days=2))
    make_call(app, provider, risk_level="medium", started_at=NOW - timedelta(hours=2))
    make_call(app, provider, risk_level=None, started_at=NOW - timedelta(hours=3))
    make_call(app, provider, risk_level="high", started_at=NOW - timedelta(days=8))

    response = client.get("/review")
    assert response.status_code == 200
    assert call_sids_in("high-risk-calls", response.data) == [imminent, high]
    page = response.get_data(as_text=True)
    assert "Anxiety and worry" in page and "Counselled" in page and "Imminent" in page
    assert "2 calls from" in page
    assert_no_number(page)


def test_the_period_is_of_local_days(app, client, provider, supervisor, frozen):
    # 00:30 on the 28th in Tehran is still the 27th in UTC; 23:30 on the 27th is not the 28th.
    just_after_midnight = make_call(app, provider, risk_level="high", started_at=datetime(2026, 11, 27, 21, 0, tzinfo=timezone.utc))
    just_before = make_call(app, provider, risk_level="high", started_at=datetime(2026, 11, 27, 20, 0, tzinfo=timezone.utc))
    assert call_sids_in("high-risk-calls", client.get("/review?from=2026-11-28&to=2026-11-28").data) == [just_after_midnight]
    assert call_sids_in("high-risk-calls", client.get("/review?from=2026-11-27&to=2026-11-27").data) == [just_before]
    assert call_sids_in("high-risk-calls", client.get("/review?to=2026-11-20").data) == []


def test_high_risk_calls_are_paged(app, client, provider, supervisor, frozen):
    sids = [make_call(app, provider, risk_level="high", started_at=NOW - timedelta(minutes=n)) for n in range(3)]
    first = client.get("/review?per_page=2")
    assert call_sids_in("high-risk-calls", first.data) == sids[:2]
    assert b"Page 1 of 2" in first.data
    next_link = re.search(rb'<a href="([^"]+)" rel="next"', first.data).group(1).decode().replace("&amp;", "&")
    assert "per_page=2" in next_link and "page=2" in next_link
    assert call_sids_in("high-risk-calls", client.get(next_link).data) == sids[2:]


@pytest.mark.parametrize(
    "query",
    ["from=yesterday", "to=2026-02-30", "from=20261101", "from=2026-W48-1", "from=2026-11-28&to=2026-11-01", "page=0", "page=x",
     "page=%C2%B2", "per_page=201", "follow_up_page=-1", "page=100000000000000000000"],
)
def test_bad_review_parameters_are_refused(client, supervisor, frozen, query):
    response = client.get(f"/review?{query}")
    assert response.status_code == 400 and response.mimetype == "text/plain"


# Follow-ups due.


def test_follow_ups_due_and_overdue(app, client, provider, supervisor, frozen):
    overdue = make_call(app, provider, follow_up_on=TODAY - timedelta(days=3), risk_level="low")
    due_today = make_call(app, provider, follow_up_on=TODAY, referral="Behzisti social emergency")
    make_call(app, provider, follow_up_on=TODAY + timedelta(days=1))
    make_call(app, provider)
    response = client.get("/review")
    assert call_sids_in("follow-ups", response.data) == [due_today, overdue]
    page = response.get_data(as_text=True)
    assert "overdue" in page and "due today" in page and "Behzisti social emergency" in page
    assert "2 follow-ups due" in page


def test_follow_ups_are_due_by_the_local_day(app, client, provider, supervisor, frozen):
    tomorrow_in_utc = make_call(app, provider, follow_up_on=date(2026, 11, 29))
    frozen(datetime(2026, 11, 28, 20, 0, tzinfo=timezone.utc))  # 23:30 in Tehran
    assert call_sids_in("follow-ups", client.get("/review").data) == []
    frozen(datetime(2026, 11, 28, 21, 0, tzinfo=timezone.utc))  # 00:30 on the 29th in Tehran
    assert call_sids_in("follow-ups", client.get("/review").data) == [tomorrow_in_utc]


def test_follow_ups_are_paged_apart_from_high_risk_calls(app, client, provider, supervisor, frozen):
    sids = [make_call(app, provider, follow_up_on=TODAY - timedelta(days=n), risk_level="high",
                      started_at=NOW - timedelta(hours=n)) for n in range(3)]
    second = client.get("/review?per_page=2&follow_up_page=2")
    assert call_sids_in("follow-ups", second.data) == sids[2:]
    assert call_sids_in("high-risk-calls", second.data) == sids[:2]
