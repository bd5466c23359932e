"""The audited reveal of a caller's number: the form on the call page and the JSON route."""

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from helpline.db import db
from helpline.models import AuditRecord, Call, User
from helpline.review.number_reveal import ReasonError, checked_reason
from tests.support.provider import Provider
from tests.support.review import NOW, NUMBER, assert_no_number, audit_records, logged_in, make_call
from tests.support.users import AuthActions, csrf_token

REASON = "Emergency services need the number to reach the caller"


def reveal_form(client, call_sid: str, reason: str | None, with_token: bool = True):
    data = {} if reason is None else {"reason": reason}
    if with_token:
        data["csrf_token"] = csrf_token(client.get(f"/calls/{call_sid}").data)
    return client.post(f"/calls/{call_sid}/reveal", data=data)


def reveal_json(client, call_sid: str, body):
    return client.post(f"/api/calls/{call_sid}/reveal", json=body)


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(User.id).where(User.username == username))


# The reason's rules.


@pytest.mark.parametrize("value", [None, "", "   \n ", 12, ["why"], "x" * 501, "because\x00", "bell\x07"])
def test_unacceptable_reasons(app, value):
    with app.test_request_context(), pytest.raises(ReasonError):
        checked_reason(value)


def test_acceptable_reasons_are_trimmed(app):
    with app.test_request_context():
        assert checked_reason("  call back\n\tafter the cut  ") == "call back\n\tafter the cut"
        assert checked_reason(" " + "x" * 500 + " ") == "x" * 500


# The form.


@pytest.mark.usefixtures("frozen", "supervisor")
def test_the_form_records_the_reveal_then_shows_the_number(app, client, provider):
    call_sid = make_call(app, provider)
    response = reveal_form(client, call_sid, REASON)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert f'<p class="revealed-number" id="revealed-number">{NUMBER}</p>' in page

    [record] = audit_records(app)
    assert (record.action, record.user_id, record.call_sid, record.reason) == (
        "reveal_number", user_id(app, "supervisor1"), call_sid, REASON
    )
    assert record.at == NOW and record.details == {"result": "revealed", "via": "page"}


@pytest.mark.parametrize("reason", [None, "", "    ", "x" * 501])
@pytest.mark.usefixtures("supervisor")
def test_the_form_without_a_good_reason_shows_no_number_and_records_nothing(app, client, provider, reason):
    call_sid = make_call(app, provider)
    response = reveal_form(client, call_sid, reason)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="reveal-reason-error"' in page and 'aria-invalid="true"' in page
    assert_no_number(page)
    assert audit_records(app) == []


@pytest.mark.usefixtures("supervisor")
def test_getting_the_forms_address_goes_back_to_the_call_page(app, client, provider):
    call_sid = make_call(app, provider)
    response = client.get(f"/calls/{call_sid}/reveal")
    assert response.status_code == 302 and response.headers["Location"] == f"/calls/{call_sid}"
    assert audit_records(app) == []


@pytest.mark.usefixtures("supervisor")
def test_the_form_needs_its_csrf_token(app, client, provider):
    call_sid = make_call(app, provider)
    response = reveal_form(client, call_sid, REASON, with_token=False)
    assert response.status_code == 400
    assert_no_number(response.get_data(as_text=True))
    forged = client.post(f"/calls/{call_sid}/reveal", data={"reason": REASON, "csrf_token": "forged"})
    assert forged.status_code == 400
    assert audit_records(app) == []


# The JSON route.


@pytest.mark.usefixtures("frozen")
def test_the_api_records_the_reveal_and_answers_the_number(app, client, auth, provider):
    logged_in(auth, "admin1", "admin")
    call_sid = make_call(app, provider)
    response = reveal_json(client, call_sid, {"reason": f"  {REASON}  "})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.json == {"number": NUMBER, "result": "revealed"}
    [record] = audit_records(app)
    assert (record.user_id, record.call_sid, record.reason, record.at) == (user_id(app, "admin1"), call_sid, REASON, NOW)
    assert record.details == {"result": "revealed", "via": "api"}


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": " "}, {"reason": None}, {"reason": 3}, {"reason": "x" * 501}, ["why"]])
@pytest.mark.usefixtures("supervisor")
def test_the_api_without_a_good_reason_is_400(app, client, provider, body):
    call_sid = make_call(app, provider)
    response = reveal_json(client, call_sid, body)
    assert response.status_code == 400 and response.json["error"]
    assert "number" not in response.json
    assert audit_records(app) == []


@pytest.mark.usefixtures("supervisor")
def test_the_api_needs_a_json_object(app, client, provider):
    call_sid = make_call(app, provider)
    response = client.post(f"/api/calls/{call_sid}/reveal", data={"reason": REASON})
    assert response.status_code == 400 and audit_records(app) == []


@pytest.mark.usefixtures("supervisor")
def test_an_unknown_call_is_404_and_recorded_nowhere(app, client):
    unknown = "CA" + "f" * 32
    assert reveal_json(client, unknown, {"reason": REASON}).status_code == 404
    assert reveal_form(client, unknown, REASON, with_token=False).status_code in (400, 404)
    assert audit_records(app) == []


# Calls without a number to show.


@pytest.mark.usefixtures("supervisor")
def test_a_withheld_number_is_said_so_and_the_attempt_recorded(app, client, provider):
    call_sid = make_call(app, provider, caller="anonymous")
    page = reveal_form(client, call_sid, REASON)
    assert page.status_code == 200 and b"The caller withheld their number" in page.data
    assert b'id="revealed-number"' not in page.data
    assert reveal_json(client, call_sid, {"reason": REASON}).json == {"number": None, "result": "withheld"}
    assert [record.details["result"] for record in audit_records(app)] == ["withheld", "withheld"]


@pytest.mark.usefixtures("every_log", "supervisor")
def test_a_number_encrypted_with_another_key_is_unreadable(app, client, provider, caplog):
    other_key = Fernet.generate_key().decode()
    call_sid = make_call(app, provider, caller_encrypted=Fernet(other_key.encode()).encrypt(NUMBER.encode()).decode())
    response = reveal_json(client, call_sid, {"reason": REASON})
    assert response.json == {"number": None, "result": "unreadable"}
    assert f"call {call_sid}: its number cannot be decrypted" in caplog.text
    assert_no_number(caplog.text)
    assert [record.details["result"] for record in audit_records(app)] == ["unreadable"]


# The number goes nowhere else.


@pytest.mark.usefixtures("every_log", "supervisor")
def test_the_number_is_nowhere_but_the_reveals_answer(app, client, provider, caplog):
    call_sid = make_call(app, provider)
    # The logs are seen: a refused form is logged by Flask-WTF.
    assert reveal_form(client, call_sid, REASON, with_token=False).status_code == 400
    assert "CSRF token is missing" in caplog.text
    assert_no_number(client.get(f"/calls/{call_sid}").get_data(as_text=True))
    assert NUMBER in reveal_form(client, call_sid, REASON).get_data(as_text=True)
    assert reveal_json(client, call_sid, {"reason": REASON}).json["number"] == NUMBER

    for path in (f"/calls/{call_sid}", "/review", "/audit", f"/audit?call={call_sid}", f"/api/calls/{call_sid}"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_no_number(response.get_data(as_text=True))
    with client.session_transaction() as session:
        assert_no_number(repr(dict(session)))
    assert_no_number(caplog.text)
    with app.app_context():
        stored = db.session.execute(text("SELECT call_sid, reason, details FROM audit_log")).all()
        assert len(stored) == 2
        assert_no_number(repr(stored))
        assert db.session.get(Call, call_sid).caller_encrypted  # still only the encrypted copy


# The rate limit.


@pytest.fixture
def limited(app, migrated, app_factory):
    """An app with rate limits on, made after `app` (which empties the tables): the limiter is
    shared, and the app made last sets it on or off for all."""

    class Limited(migrated):
        RATELIMIT_ENABLED = True

    return app_factory(Limited)


def test_reveals_are_rate_limited_per_user(limited):
    client = limited.test_client()
    auth = AuthActions(client, limited)
    signed = Provider(client, limited.config["TWILIO_AUTH_TOKEN"])
    logged_in(auth, "supervisor1", "supervisor")
    call_sid = make_call(limited, signed)
    # Refused attempts (no reason) record nothing and cost nothing.
    assert [reveal_json(client, call_sid, {}).status_code for _ in range(3)] == [400] * 3
    statuses = [reveal_json(client, call_sid, {"reason": REASON}).status_code for _ in range(15)]
    statuses += [reveal_form(client, call_sid, REASON).status_code for _ in range(5)]
    assert statuses == [200] * 20
    refused = reveal_json(client, call_sid, {"reason": REASON})
    assert refused.status_code == 429 and refused.json["error"].startswith("Too many reveals")
    assert reveal_form(client, call_sid, REASON).status_code == 429
    assert len(audit_records(limited)) == 20

    # Another supervisor has a budget of their own.
    other = limited.test_client()
    AuthActions(other, limited).create("supervisor2", "supervisor")
    assert AuthActions(other, limited).login("supervisor2").status_code == 200
    assert reveal_json(other, call_sid, {"reason": REASON}).status_code == 200
    with limited.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditRecord)) == 21
