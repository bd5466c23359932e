"""Refuse a NUL character in what a person sends, before any view reads it.

PostgreSQL text cannot hold NUL: a NUL in a login name, a form field, a query or a JSON body
failed the view's first query with a 500. Every request but the provider's webhooks is refused
with 400 instead, on both databases alike. The webhooks replace NUL instead
(`webhook_checks.provider_params`): a caller must be queued, not refused. The anonymous are
answered by the view first (401, or the login page), before it reads anything, except at login.
"""

from flask import Flask, abort, request
from flask_login import current_user

NUL, REPLACEMENT_CHARACTER = "\x00", "\ufffd"
PROVIDER_PREFIX = "/twilio/"
LOGIN_ENDPOINTS = {"auth.login", "auth.login_page"}


def holds_nul(value) -> bool:
    # Walked without recursion: JSON nested deeper than Python's stack would otherwise be a 500.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def request_holds_nul() -> bool:
    if NUL in request.path:
        return True
    for fields in (request.args, request.form):
        if any(NUL in key or NUL in value for key, value in fields.items(multi=True)):
            return True
    return request.is_json and holds_nul(request_json())


def request_json():
    try:
        return request.get_json(silent=True)
    except RecursionError:
        abort(400, "the JSON body is nested too deeply")


def refuse_nul_characters() -> None:
    if request.path.startswith(PROVIDER_PREFIX) or request.endpoint == "static" or not request_holds_nul():
        return
    # Only now who is asking (a database read, which must not stand between any request and
    # its view while the database is down).
    if current_user.is_anonymous and request.endpoint not in LOGIN_ENDPOINTS:
        return
    abort(400, "text must not contain NUL characters")


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_characters)
