"""Refuse text no database can store in what a person sends, before any view reads it.

PostgreSQL text cannot hold NUL: a NUL in a login name, a form field, a query or a JSON body
failed the view's first query with a 500. A lone surrogate (`"\\ud800"` in JSON, which
decodes it to a `str` no UTF-8 encoder takes) failed the same way on both databases. Every
request but the provider's webhooks is refused with 400 instead. The webhooks replace NUL
instead (`webhook_checks.provider_params`): a caller must be queued, not refused; their form
bodies cannot carry a surrogate (form decoding replaces what is not UTF-8). The anonymous are
answered by the view first (401, or the login page), before it reads anything, except at login.
"""

import re

from flask import Flask, abort, request
from flask_login import current_user

NUL, REPLACEMENT_CHARACTER = "\x00", "\ufffd"
# One pass finds either: NUL, or a code point of the surrogate range standing alone in a str.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
REASONS = {NUL: "text must not contain NUL characters"}
SURROGATE_REASON = "text must not contain lone surrogates (code points U+D800 to U+DFFF)"
PROVIDER_PREFIX = "/twilio/"
LOGIN_ENDPOINTS = {"auth.login", "auth.login_page"}


def unstorable_reason(text: str) -> str | None:
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    return REASONS.get(found.group(), SURROGATE_REASON)


def first_unstorable(value) -> str | None:
    """Why the first unstorable string in a JSON value cannot be stored, or None."""
    # Walked without recursion: JSON nested deeper than Python's stack would otherwise be a 500.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            reason = unstorable_reason(item)
            if reason:
                return reason
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return None


def request_refusal() -> str | None:
    texts = [request.path]
    for fields in (request.args, request.form):
        for key, value in fields.items(multi=True):
            texts += (key, value)
    reason = first_unstorable(texts)
    if reason is None and request.is_json:
        reason = first_unstorable(request_json())
    return reason


def request_json():
    try:
        return request.get_json(silent=True)
    except RecursionError:
        abort(400, "the JSON body is nested too deeply")


def refuse_unstorable_text() -> None:
    if request.path.startswith(PROVIDER_PREFIX) or request.endpoint == "static":
        return
    reason = request_refusal()
    if reason is None:
        return
    # Only now who is asking (a database read, which must not stand between any request and
    # its view while the database is down).
    if current_user.is_anonymous and request.endpoint not in LOGIN_ENDPOINTS:
        return
    abort(400, reason)


def init_app(app: Flask) -> None:
    app.before_request(refuse_unstorable_text)
