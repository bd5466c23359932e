"""`/audit`: the audit log, newest first, paged, filtered by user and by call."""

import re
from datetime import timedelta
from html import unescape

import pytest

from helpline.db import db
from helpline.models import AuditRecord, User
from tests.support.provider import new_call_sid
from tests.support.review import NOW, NUMBER, assert_no_number, logged_in, make_call


def add_records(app, *records: tuple[str, str, str, int]) -> None:
    """(username, call_sid, reason, minutes before NOW) each."""
    with app.app_context():
        for username, call_sid, reason, minutes_ago in records:
            user_id = db.session.scalar(db.select(User.id).where(User.username == username))
            db.session.add(
                AuditRecord(at=NOW - timedelta(minutes=minutes_ago), user_id=user_id, action="reveal_number",
                            call_sid=call_sid, reason=reason, details={"result": "revealed", "via": "page"})
            )
        db.session.commit()


def rows(page: bytes) -> list[list[str]]:
    """The audit table's cells, as text."""
    table = re.search(rb'<table[^>]*id="audit-entries".*?</table>', page, re.DOTALL)
    if table is None:
        return []
    body = table.group(0).decode().split("<tbody>")[1]
    return [
        [" ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)
    ]


@pytest.fixture
def two_reviewers(auth):
    auth.create("admin1", "admin")
    logged_in(auth, "supervisor1", "supervisor")


def test_the_log_says_who_when_what_which_call_and_why(app, client, two_reviewers):
    first, second = new_call_sid(), new_call_sid()
    add_records(app, ("supervisor1", first, "Called back after the line dropped", 30), ("admin1", second, "Police request <b>", 5))
    response = client.get("/audit")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Police request &lt;b&gt;" in page  # the reason is text, never markup
    assert f'href="/calls/{second}"' in page
    assert [row[1] for row in rows(response.data)] == ["admin1", "supervisor1"]
    assert [row[3] for row in rows(response.data)] == [second, first]
    assert [row[4] for row in rows(response.data)] == ["Police request <b>", "Called back after the line dropped"]
    assert [row[2] for row in rows(response.data)] == ["Revealed the caller's number"] * 2
    assert [row[5] for row in rows(response.data)] == ["Number shown"] * 2
    times = re.findall(r'<td><time datetime="([^"]+)"', page)
    assert times == [(NOW - timedelta(minutes=5)).isoformat(), (NOW - timedelta(minutes=30)).isoformat()]
    assert "2 entries" in page


def test_filters_by_user_and_by_call(app, client, two_reviewers):
    one_call, other_call = new_call_sid(), new_call_sid()
    add_records(app, ("supervisor1", one_call, "a", 3), ("admin1", one_call, "b", 2), ("admin1", other_call, "c", 1))
    assert [row[4] for row in rows(client.get("/audit?user=admin1").data)] == ["c", "b"]
    assert [row[4] for row in rows(client.get(f"/audit?call={one_call}").data)] == ["b", "a"]
    assert [row[4] for row in rows(client.get(f"/audit?user=admin1&call={one_call}").data)] == ["b"]
    assert rows(client.get(f"/audit?user=supervisor1&call={other_call}").data) == []
    page = client.get("/audit?user=admin1").get_data(as_text=True)
    assert '<option value="admin1" selected>' in page and '<option value="supervisor1">' in page


def test_the_log_is_paged(app, client, two_reviewers):
    add_records(app, *[("supervisor1", new_call_sid(), f"reason {n}", n) for n in range(5)])
    assert [row[4] for row in rows(client.get("/audit?per_page=2").data)] == ["reason 0", "reason 1"]
    assert [row[4] for row in rows(client.get("/audit?per_page=2&page=3").data)] == ["reason 4"]
    assert rows(client.get("/audit?per_page=2&page=4").data) == []


@pytest.mark.parametrize("query", ["user=nobody", "call=CA123", "call=" + "CA" + "G" * 32, "page=0", "per_page=1000"])
def test_bad_filters_are_refused(client, two_reviewers, query):
    response = client.get(f"/audit?{query}")
    assert response.status_code == 400 and response.mimetype == "text/plain"


@pytest.mark.usefixtures("frozen", "supervisor")
def test_a_real_reveal_shows_in_the_log_without_the_number(app, client, provider):
    call_sid = make_call(app, provider)
    token = re.search(rb'name="csrf_token" value="([^"]+)"', client.get(f"/calls/{call_sid}").data).group(1).decode()
    assert NUMBER in client.post(f"/calls/{call_sid}/reveal", data={"reason": "Follow-up agreed", "csrf_token": token}).get_data(as_text=True)
    response = client.get(f"/audit?call={call_sid}")
    [row] = rows(response.data)
    assert row[1:] == ["supervisor1", "Revealed the caller's number", call_sid, "Follow-up agreed", "Number shown"]
    assert f'datetime="{NOW.isoformat()}"' in response.get_data(as_text=True)
    assert_no_number(response.get_data(as_text=True))
