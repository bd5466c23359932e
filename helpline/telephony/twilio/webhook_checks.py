"""Reject a provider webhook early: a bad signature (403) or a malformed shape (400).

The signature is checked with the twilio library's `RequestValidator`, against the URL at
`PUBLIC_BASE_URL` when set, so it holds behind a proxy that rewrites host or scheme. Both
schemes are accepted: the account auth token with HMAC-SHA1, and a signing key named in
`X-Twilio-Webhooks-Signature-Settings` with HMAC-SHA256.
"""

import functools
import logging
import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from flask import abort, current_app, request
from twilio.request_validator import HMAC_SHA1, HMAC_SHA256, SIGNATURE_HEADER, SIGNATURE_SETTINGS_HEADER, RequestValidator, compare, get_signature_algorithm

from helpline.call_merge import STATUS_RANKS
from helpline.text_guard import NUL, REPLACEMENT_CHARACTER

log = logging.getLogger(__name__)

CALL_SID = re.compile(r"CA[0-9a-f]{32}")
QUEUE_SID = re.compile(r"QU[0-9a-f]{32}")
COUNT = re.compile(r"\d{1,9}")
DIGITS = re.compile(r"[0-9*#]{0,32}")
# As long as the column that keeps it: a longer one could never be recorded.
QUEUE_RESULT = re.compile(r"[a-zA-Z-]{1,32}")
MAX_VALUE_LENGTH = 512
KNOWN_ALGORITHMS = {HMAC_SHA1, HMAC_SHA256}
# When a call's events can have happened. A time the shape allows but these bounds do not (year
# 9999 in a zone of -23:59, say) passes for RFC 2822 and then cannot be turned into UTC, less a
# wait, or into the helpline's local day: recording it would fail at every try. Real zones lie
# within ±14 h of UTC.
EARLIEST_EVENT = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST_EVENT = datetime(2100, 1, 1, tzinfo=timezone.utc)
MAX_ZONE_OFFSET = timedelta(hours=14)
DIAL_STATUSES = {"completed", "answered", "busy", "no-answer", "failed", "canceled"}


class BadWebhook(Exception):
    """A webhook the service will not act on; `str()` is the one-line reason."""


def signed_url() -> str:
    base = current_app.config["PUBLIC_BASE_URL"]
    if not base:
        return request.url
    query = request.query_string.decode()
    return base + request.path + (f"?{query}" if query else "")


def signing_secret(settings_header: str | None) -> str | None:
    """The secret the provider signed with: a named signing key, or the auth token."""
    if not settings_header:
        return current_app.config["TWILIO_AUTH_TOKEN"] or None
    key_id = next(
        (value.strip() for name, _, value in (part.partition("=") for part in settings_header.split(","))
         if name.strip() == "key"),
        None,
    )
    keys = current_app.config["TWILIO_WEBHOOK_KEYS"]
    if key_id is None or not keys:
        return current_app.config["TWILIO_AUTH_TOKEN"] or None
    return keys.get(key_id)


def signature_is_valid() -> bool:
    signature = request.headers.get(SIGNATURE_HEADER)
    settings_header = request.headers.get(SIGNATURE_SETTINGS_HEADER)
    secret = signing_secret(settings_header)
    if not signature or not secret:
        return False
    algorithm = get_signature_algorithm(settings_header) if settings_header else HMAC_SHA1
    validator = RequestValidator(secret)
    url = signed_url()
    # The URL as the provider called it first: `validate` always computes two signatures (the
    # URL with its port and without), and it still decides every other case.
    if algorithm in KNOWN_ALGORITHMS and compare(validator.compute_signature(url, request.form, algorithm), signature):
        return True
    return validator.validate(url, request.form, signature, algorithm=algorithm)


def provider_params() -> dict[str, str]:
    """The webhook's parameters (the first value of each), any NUL character replaced.
    PostgreSQL text cannot hold NUL: a caller whose carrier put one in, say, the caller's name
    must still be queued and recorded, not refused, nor spooled to fail again at every replay.
    (The signature is checked on the parameters as sent; the fields the service acts on are
    checked by `check_shape`, which a replaced NUL fails.)"""
    params = request.form.to_dict()
    if any(NUL in name or NUL in value for name, value in params.items()):
        params = {name.replace(NUL, REPLACEMENT_CHARACTER): value.replace(NUL, REPLACEMENT_CHARACTER) for name, value in params.items()}
    return params


def check_shape(params: dict[str, str]) -> None:
    """Raise BadWebhook naming the first malformed parameter."""
    call_sid = params.get("CallSid")
    if call_sid is None:
        raise BadWebhook("missing CallSid")
    if not CALL_SID.fullmatch(call_sid):
        raise BadWebhook("malformed CallSid: expected CA and 32 hex digits")
    for name, value in params.items():
        if len(value) > MAX_VALUE_LENGTH:
            raise BadWebhook(f"parameter {name} is too long")
    for name in ("QueueTime", "CallDuration", "SequenceNumber", "QueuePosition", "AvgQueueTime", "CurrentQueueSize", "DialCallDuration"):
        if name in params and not COUNT.fullmatch(params[name]):
            raise BadWebhook(f"malformed {name}: expected a whole number of seconds or a count")
    if "CallStatus" in params and params["CallStatus"] not in STATUS_RANKS:
        raise BadWebhook(f"unknown CallStatus: {params['CallStatus'][:40]}")
    if "DialCallStatus" in params and params["DialCallStatus"] not in DIAL_STATUSES:
        raise BadWebhook(f"unknown DialCallStatus: {params['DialCallStatus'][:40]}")
    if "Digits" in params and not DIGITS.fullmatch(params["Digits"]):
        raise BadWebhook("malformed Digits")
    if "QueueResult" in params and not QUEUE_RESULT.fullmatch(params["QueueResult"]):
        raise BadWebhook("malformed QueueResult")
    if "QueueSid" in params and not QUEUE_SID.fullmatch(params["QueueSid"]):
        raise BadWebhook("malformed QueueSid: expected QU and 32 hex digits")
    if "Timestamp" in params:
        check_timestamp(params["Timestamp"])


def check_timestamp(value: str) -> None:
    try:
        stamp = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        stamp = None
    if stamp is None or stamp.tzinfo is None:
        raise BadWebhook("malformed Timestamp: expected RFC 2822 with a zone")
    if abs(stamp.utcoffset()) > MAX_ZONE_OFFSET:
        raise BadWebhook("malformed Timestamp: its zone is more than 14 hours from UTC")
    if not EARLIEST_EVENT <= stamp.astimezone(timezone.utc) < LATEST_EVENT:
        raise BadWebhook("Timestamp out of range: expected a time from 2000 to 2099")


def provider_webhook(view):
    """Verify the signature, then the shape, before the view runs."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        if not current_app.config["SKIP_SIGNATURE_CHECK"] and not signature_is_valid():
            log.warning("rejected webhook with a bad signature", extra={"path": request.path})
            abort(403, "invalid X-Twilio-Signature")
        if len(request.form.getlist("CallSid")) > 1:
            abort(400, "CallSid given more than once")
        try:
            check_shape(provider_params())
        except BadWebhook as reason:
            abort(400, str(reason))
        return view(*args, **kwargs)

    return checked
