"""Forged and malformed provider requests: refused, and nothing recorded."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

import config
from helpline.db import db
from helpline.models import Call, CallEvent
from tests.support.provider import Provider, new_call_sid

PROVIDER_URLS = ["/twilio/voice", "/twilio/menu?attempt=1", "/twilio/enqueue", "/twilio/wait", "/twilio/queue-result", "/twilio/status"]


def nothing_recorded(app) -> bool:
    with app.app_context():
        calls = db.session.scalar(select(func.count()).select_from(Call))
        events = db.session.scalar(select(func.count()).select_from(CallEvent))
    return calls == 0 and events == 0


@pytest.mark.parametrize("path", PROVIDER_URLS)
def test_unsigned_request_is_forbidden(app, client, path):
    response = client.post(path, data=Provider.params(new_call_sid(), QueueResult="hangup"))
    assert response.status_code == 403
    assert nothing_recorded(app)


@pytest.mark.parametrize("path", PROVIDER_URLS)
def test_forged_signature_is_forbidden(app, provider, path):
    params = Provider.params(new_call_sid(), QueueResult="hangup")
    forged = RequestValidator("not-the-auth-token").compute_signature(provider.base_url + path, params)
    assert provider.post(path, params, signature=forged).status_code == 403
    assert nothing_recorded(app)


def test_signature_of_other_params_is_forbidden(app, provider):
    params = Provider.params(new_call_sid(), Digits="1")
    signature = provider.sign(provider.base_url + "/twilio/menu?attempt=1", params)
    tampered = {**params, "Digits": "9"}
    assert provider.post("/twilio/menu?attempt=1", tampered, signature=signature).status_code == 403
    assert nothing_recorded(app)


def test_signature_for_another_url_is_forbidden(app, provider):
    params = Provider.params(new_call_sid())
    signature = provider.sign(provider.base_url + "/twilio/status", params)
    assert provider.post("/twilio/voice", params, signature=signature).status_code == 403


def test_sha256_signing_key_scheme(app, provider):
    params = Provider.params(new_call_sid(), CallStatus="ringing")
    url = provider.base_url + "/twilio/voice"
    secret = app.config["TWILIO_WEBHOOK_KEYS"]["webhooks_sharedkey_test"]
    signature = RequestValidator(secret).compute_signature(url, params, algorithm="HMAC_SHA256")
    settings = {"X-Twilio-Webhooks-Signature-Settings": "key=webhooks_sharedkey_test,algorithm=HMAC_SHA256"}
    assert provider.post("/twilio/voice", params, signature=signature, headers=settings).status_code == 200
    # The same signature under an unknown key, or claimed as SHA-1, does not pass.
    unknown = {"X-Twilio-Webhooks-Signature-Settings": "key=webhooks_sharedkey_other,algorithm=HMAC_SHA256"}
    assert provider.post("/twilio/voice", params, signature=signature, headers=unknown).status_code == 403
    sha1 = {"X-Twilio-Webhooks-Signature-Settings": "key=webhooks_sharedkey_test,algorithm=HMAC_SHA1"}
    assert provider.post("/twilio/voice", params, signature=signature, headers=sha1).status_code == 403


def test_public_base_url_is_what_is_signed_behind_a_proxy(migrated, app_factory):
    class BehindProxy(migrated):
        PUBLIC_BASE_URL = "https://helpline.example.org"

    app = app_factory(BehindProxy)
    client = app.test_client()
    params = Provider.params(new_call_sid(), CallStatus="ringing")
    validator = RequestValidator(app.config["TWILIO_AUTH_TOKEN"])
    public = validator.compute_signature("https://helpline.example.org/twilio/voice?lang=en", params)
    local = validator.compute_signature("http://localhost/twilio/voice?lang=en", params)
    assert client.post("/twilio/voice?lang=en", data=params, headers={"X-Twilio-Signature": public}).status_code == 200
    assert client.post("/twilio/voice?lang=en", data=params, headers={"X-Twilio-Signature": local}).status_code == 403


def test_a_signature_over_the_url_with_or_without_its_default_port_passes(migrated, app_factory):
    """The provider has signed either form of a URL; the check takes the URL as called first and
    leaves the other form to the twilio library."""

    class BehindProxy(migrated):
        PUBLIC_BASE_URL = "https://helpline.example.org"

    app = app_factory(BehindProxy)
    client = app.test_client()
    validator = RequestValidator(app.config["TWILIO_AUTH_TOKEN"])
    for signed in ("https://helpline.example.org/twilio/voice?lang=en", "https://helpline.example.org:443/twilio/voice?lang=en"):
        params = Provider.params(new_call_sid(), CallStatus="ringing")
        signature = validator.compute_signature(signed, params)
        assert client.post("/twilio/voice?lang=en", data=params, headers={"X-Twilio-Signature": signature}).status_code == 200
    other_port = validator.compute_signature("https://helpline.example.org:8443/twilio/voice?lang=en", params)
    assert client.post("/twilio/voice?lang=en", data=params, headers={"X-Twilio-Signature": other_port}).status_code == 403


@pytest.mark.parametrize("profile, skipped", [("development", "True"), ("production", "False"), ("testing", "False")])
def test_only_the_development_profile_can_turn_the_check_off(profile, skipped):
    env = {**os.environ, "HELPLINE_ENV": profile, "HELPLINE_SKIP_SIGNATURE_CHECK": "1"}
    shown = subprocess.run(
        [sys.executable, "-c", "import config; print(config.profile().SKIP_SIGNATURE_CHECK)"],
        env=env, capture_output=True, text=True, check=True, cwd=config.ROOT,
    )
    assert shown.stdout.strip() == skipped


def test_skipping_the_check_lets_unsigned_requests_in(migrated, app_factory):
    class Unchecked(migrated):
        SKIP_SIGNATURE_CHECK = True

    app = app_factory(Unchecked)
    assert app.test_client().post("/twilio/voice", data=Provider.params(new_call_sid())).status_code == 200


MALFORMED = [
    ({"CallSid": None}, "missing CallSid"),
    ({"CallSid": "CA123"}, "malformed CallSid"),
    ({"CallSid": "XX" + "a" * 32}, "malformed CallSid"),
    ({"CallSid": "CA" + "G" * 32}, "malformed CallSid"),
    ({"QueueTime": "soon"}, "malformed QueueTime"),
    ({"QueueTime": "-3"}, "malformed QueueTime"),
    ({"CallDuration": "1.5"}, "malformed CallDuration"),
    ({"SequenceNumber": "x"}, "malformed SequenceNumber"),
    ({"CallStatus": "exploded"}, "unknown CallStatus"),
    ({"Digits": "1; DROP TABLE"}, "malformed Digits"),
    ({"QueueResult": "<bridged>"}, "malformed QueueResult"),
    ({"QueueResult": "r" * 33}, "malformed QueueResult"),
    ({"QueueSid": "QU" + "a" * 60}, "malformed QueueSid"),
    ({"QueueSid": "QU\x00" + "a" * 31}, "malformed QueueSid"),
    ({"Timestamp": "yesterday"}, "malformed Timestamp"),
    # Well-formed RFC 2822, but no UTC time exists for it (recording it failed at every replay).
    ({"Timestamp": "Fri, 31 Dec 9999 23:59:59 -2359"}, "malformed Timestamp"),
    ({"Timestamp": "Fri, 31 Dec 9999 23:59:59 +0000"}, "Timestamp out of range"),
    ({"Timestamp": "Mon, 01 Jan 1900 00:00:00 +0000"}, "Timestamp out of range"),
    ({"To": "x" * 600}, "too long"),
]


@pytest.mark.parametrize("path", ["/twilio/voice", "/twilio/queue-result", "/twilio/status"])
@pytest.mark.parametrize("change, reason", MALFORMED)
def test_malformed_request_gets_a_one_line_reason(app, provider, path, change, reason):
    params = {**Provider.params(new_call_sid(), QueueResult="bridged"), **change}
    params = {name: value for name, value in params.items() if value is not None}
    response = provider.post(path, params)
    assert response.status_code == 400
    body = response.data.decode()
    assert reason in body and body.count("\n") == 1
    assert nothing_recorded(app)


def test_call_sid_given_twice_is_refused(app, provider):
    params = Provider.params(new_call_sid())
    url = provider.base_url + "/twilio/status"
    from werkzeug.datastructures import MultiDict

    form = MultiDict(list(params.items()) + [("CallSid", new_call_sid())])
    signature = provider.validator.compute_signature(url, form)
    response = provider.client.post("/twilio/status", data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 400
    assert nothing_recorded(app)


def test_a_nul_in_a_free_text_parameter_is_replaced_and_the_caller_still_queued(app, provider):
    """PostgreSQL text cannot hold NUL: kept as sent, the webhook failed to record and was
    spooled, to fail again at every replay."""
    call_sid = new_call_sid()
    odd = {"CallerName": "Ali\x00", "FromCity": "\x00", "CallerCountry\x00": "IR"}
    assert provider.post("/twilio/voice", Provider.params(call_sid, **odd)).status_code == 200
    menu = provider.post("/twilio/menu?attempt=1&lang=en", Provider.params(call_sid, Digits="1", **odd))
    assert menu.status_code == 200 and b"<Enqueue" in menu.data
    # The same delivery again is the same event.
    assert provider.post("/twilio/menu?attempt=1&lang=en", Provider.params(call_sid, Digits="1", **odd)).status_code == 200
    assert not app.extensions["helpline.spool"].pending()
    with app.app_context():
        call = db.session.get(Call, call_sid)
        assert call.enqueued_at is not None and call.category is not None
        events = db.session.scalars(select(CallEvent).where(CallEvent.call_sid == call_sid)).all()
        assert len(events) == 2
        # Where the caller is never reaches the journal (tests/test_journal_params.py).
        assert all("FromCity" not in event.params and "CallerName" not in event.params for event in events)


def test_a_nul_in_a_parameter_the_service_acts_on_is_refused(app, provider):
    response = provider.post("/twilio/menu?attempt=1&lang=en", Provider.params(new_call_sid(), Digits="1\x00"))
    assert response.status_code == 400 and "malformed Digits" in response.data.decode()
    assert nothing_recorded(app)
