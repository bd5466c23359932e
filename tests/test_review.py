"""`/review`: high-risk calls in a period and follow-ups due; who may see the review pages.

Also the helpers the other test_review* modules share: calls made through the provider's
webhooks and then logged, a frozen clock, and CSRF tokens from the pages.
"""

import logging
import re
from datetime import date, datetime, timedelta, timezone

import pytest

from helpline import clock
from helpline.db import db
from helpline.models import AuditRecord, Call, User
from tests.support.calls import call_events
from tests.support.provider import new_call_sid

NUMBER = "+989127654321"
# Any of these in a page, a body or a log line would be the number in plain text.
FRAGMENTS = ("7654321", "9127654", "989127")
# 12:30 in Tehran (UTC+03:30), the default HELPLINE_UTC_OFFSET_MINUTES.
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 28)


@pytest.fixture
def frozen(monkeypatch):
    """The service's clock stopped at NOW, or at the moment given."""

    def set_time(moment: datetime = NOW) -> None:
        monkeypatch.setattr(clock, "now", lambda: moment)

    set_time()
    return set_time


def make_call(app, provider, *, caller: str = NUMBER, counselor: str | None = None, **fields) -> str:
    """A call through every webhook of its life, then the counselor's log written as `fields`."""
    call_sid = new_call_sid()
    for path, params in call_events(call_sid, caller, "bridged"):
        assert provider.post(path, params).status_code in (200, 204)
    with app.app_context():
        call = db.session.get(Call, call_sid)
        if counselor is not None:
            call.counselor_id = db.session.scalar(db.select(User.id).where(User.username == counselor))
        for name, value in fields.items():
            setattr(call, name, value)
        db.session.commit()
    return call_sid


def logged_in(auth, username: str, role: str, language: str = "en") -> None:
    auth.create(username, role)
    with auth.app.app_context():
        db.session.scalar(db.select(User).where(User.username == username)).language = language
        db.session.commit()
    assert auth.login(username).status_code == 200


def page_csrf_token(page: bytes) -> str:
    """The token of a page's form, else of its <meta name="csrf-token">."""
    found = re.search(rb'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page) or re.search(
        rb'name="csrf-token" content="([^"]+)"', page
    )
    return found.group(1).decode()


def audit_records(app) -> list[AuditRecord]:
    with app.app_context():
        records = list(db.session.scalars(db.select(AuditRecord).order_by(AuditRecord.id)))
        db.session.expunge_all()
        return records


def assert_no_number(text: str) -> None:
    for fragment in FRAGMENTS:
        assert fragment not in text


def call_sids_in(table_id: str, page: bytes) -> list[str]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>'.encode(), page, re.DOTALL)
    return re.findall(r"/calls/(CA[0-9a-f]{32})", table.group(0).decode()) if table else []


@pytest.fixture
def every_log(caplog):
    """caplog at DEBUG with every logger switched on. The migrations' logging.config.fileConfig
    disables every logger that exists when it runs (all of helpline's), so without this a
    check that something is not in the logs would pass on empty logs."""
    loggers = [item for item in logging.Logger.manager.loggerDict.values() if isinstance(item, logging.Logger)]
    were_disabled = [item.disabled for item in loggers]
    for item in loggers:
        item.disabled = False
    caplog.set_level(logging.DEBUG)
    yield caplog
    for item, disabled in zip(loggers, were_disabled, strict=True):
        item.disabled = disabled


@pytest.fixture
def supervisor(auth):
    logged_in(auth, "supervisor1", "supervisor")


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
    token = page_csrf_token(client.get("/login").data)
    anonymous_form = client.post(f"/calls/{call_sid}/reveal", data={"reason": "curious", "csrf_token": token})
    assert anonymous_form.status_code == 302 and anonymous_form.headers["Location"].startswith("/login?next=")
    assert client.post(f"/api/calls/{call_sid}/reveal", json={"reason": "curious"}).status_code == 401
    assert client.get(f"/calls/{call_sid}/reveal").headers["Location"].startswith("/login?next=")

    logged_in(auth, "counselor1", "counselor")
    token = page_csrf_token(client.get("/dashboard").data)
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
