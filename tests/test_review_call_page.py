"""`/calls/<call_sid>`: one call's record, its counselor's log and its webhook journal."""

import re
from datetime import date, timedelta
from html import unescape
from types import SimpleNamespace

import pytest

from helpline.db import db
from helpline.models import Call, CallEvent
from helpline.review.call_page import split_journal
from tests.support.review import NOW, assert_no_number, logged_in, make_call
from tests.support.users import csrf_token

LOG = {
    "call_type": "about_self",
    "categories": ["anxiety", "depression"],
    "risk_level": "high",
    "outcome": "counselled",
    "referral": "Behzisti social emergency 123",
    "notes": "Talked through the week;\nagreed to call again.",
    "follow_up_on": date(2026, 12, 1),
}


def journal_kinds(page: str) -> list[str]:
    table = re.search(r'<table[^>]*id="journal".*?</table>', page, re.DOTALL).group(0)
    return re.findall(r"<tr>\s*<td>\d+</td>\s*<td><code>([a-z_]+)</code>", table)


def fact(page: str, label: str) -> str:
    """The text of the <dd> after the <dt> named `label`, tags and spaces squeezed out."""
    found = re.search(rf"<dt>{re.escape(label)}</dt><dd[^>]*>(.*?)</dd>", page, re.DOTALL)
    assert found, f"no {label!r} on the page"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


@pytest.mark.usefixtures("frozen")
def test_the_call_page_shows_the_record_the_log_and_the_journal(app, client, auth, provider):
    logged_in(auth, "counselor1", "counselor")
    logged_in(auth, "supervisor1", "supervisor")
    call_sid = make_call(app, provider, counselor="counselor1", logged_at=NOW + timedelta(minutes=3), wrap_up_seconds=65, **LOG)

    response = client.get(f"/calls/{call_sid}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    with app.app_context():
        call = db.session.get(Call, call_sid)
        stored_kinds = list(db.session.scalars(db.select(CallEvent.kind).where(CallEvent.call_sid == call_sid).order_by(CallEvent.id)))
        masked, wait_seconds = call.caller_masked, call.wait_seconds

    assert call_sid in page
    assert fact(page, "Status") == "Completed"
    assert fact(page, "Queue result") == "Connected to a counselor"
    assert fact(page, "Abandoned") == "No"
    assert fact(page, "Menu choice") == "Disability and rehabilitation"
    assert fact(page, "Language") == "English"
    assert fact(page, "Wait (min:s)") == f"{wait_seconds // 60}:{wait_seconds % 60:02d}"
    assert fact(page, "Whole call (min:s)") == "1:30"
    assert fact(page, "Caller") == masked and masked.startswith("+98") and "*" in masked
    assert fact(page, "Started") != "–" and fact(page, "Ended") != "–"

    assert fact(page, "Counselor") == "counselor1"
    assert fact(page, "Call type") == "Counselling contact about self"
    assert fact(page, "Categories") == "Anxiety and worry Depression and low mood"
    assert fact(page, "Risk level") == "High risk"
    assert fact(page, "Outcome") == "Counselled"
    assert fact(page, "Referred to") == "Behzisti social emergency 123"
    assert fact(page, "Notes") == "Talked through the week; agreed to call again."
    assert '<time datetime="2026-12-01">' in page
    assert fact(page, "Wrap-up (min:s)") == "1:05"

    assert journal_kinds(page) == stored_kinds
    assert stored_kinds[0] == "status" and "menu" in stored_kinds and "queue_result" in stored_kinds
    journal = re.search(r'<table[^>]*id="journal".*?</table>', page, re.DOTALL).group(0)
    common = re.search(r'<div id="journal-common">.*?</div>', page, re.DOTALL).group(0)
    assert "QueueResult</code> = <code>bridged" in journal and "Digits</code> = <code>3" in journal
    assert f"CallSid</code> = <code>{call_sid}" in common and "Direction</code> = <code>inbound" in common
    assert "CallSid" not in journal and "CallStatus" not in common
    assert_no_number(page)


def test_parameters_every_event_shares_are_split_out():
    events = [SimpleNamespace(params={"CallSid": "CA1", "To": "+981480", "CallStatus": status}) for status in ("ringing", "completed")]
    common, rows = split_journal(events)
    assert common == {"CallSid": "CA1", "To": "+981480"}
    assert [params for _, params in rows] == [{"CallStatus": "ringing"}, {"CallStatus": "completed"}]
    assert split_journal(events[:1]) == ({}, [(events[0], events[0].params)])
    assert split_journal([]) == ({}, [])


@pytest.mark.usefixtures("supervisor")
def test_the_call_page_offers_the_reveal_form_without_the_number(app, client, provider):
    call_sid = make_call(app, provider)
    page = client.get(f"/calls/{call_sid}").get_data(as_text=True)
    form = re.search(r'<form method="post" action="([^"]+)" id="reveal-form".*?</form>', page, re.DOTALL)
    assert form and form.group(1) == f"/calls/{call_sid}/reveal"
    assert csrf_token(form.group(0).encode())
    assert re.search(r'<input type="text" id="reveal-reason" name="reason"[^>]*maxlength="500"', form.group(0))
    assert "<datalist" in form.group(0)
    assert f"/audit?call={call_sid}" in page
    assert 'id="revealed-number"' not in page
    assert_no_number(page)


def test_labels_are_in_the_readers_language(app, client, auth, provider):
    logged_in(auth, "supervisor1", "supervisor", language="fa")
    call_sid = make_call(app, provider, categories=["anxiety"], risk_level="imminent")
    page = client.get(f"/calls/{call_sid}").get_data(as_text=True)
    assert "اضطراب و نگرانی" in page and "خطر قریب‌الوقوع" in page
    assert "Anxiety and worry" not in page


@pytest.mark.usefixtures("supervisor")
def test_a_key_gone_from_the_taxonomy_still_shows(app, client, provider):
    call_sid = make_call(app, provider, categories=["astrology"], outcome="retired_outcome")
    page = client.get(f"/calls/{call_sid}").get_data(as_text=True)
    assert fact(page, "Categories") == "astrology" and fact(page, "Outcome") == "retired_outcome"


@pytest.mark.usefixtures("supervisor")
def test_a_call_no_counselor_took(app, client, provider):
    call_sid = make_call(app, provider)
    page = client.get(f"/calls/{call_sid}").get_data(as_text=True)
    assert "No counselor took this call." in page


@pytest.mark.usefixtures("supervisor")
def test_an_unknown_call_is_404(client):
    assert client.get("/calls/CA" + "0" * 32).status_code == 404
    assert client.get("/calls/not-a-call").status_code == 404
