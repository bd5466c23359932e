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
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(holds_nul(item) for item in value)
    return False


def request_holds_nul() -> bool:
    if NUL in request.path:
        return True
    for fields in (request.args, request.form):
        if any(NUL in key or NUL in value for key, value in fields.items(multi=True)):
            return True
    return request.is_json and holds_nul(request.get_json(silent=True))


def refuse_nul_characters() -> None:
    if request.path.startswith(PROVIDER_PREFIX) or request.endpoint == "static":
        return
    if current_user.is_anonymous and request.endpoint not in LOGIN_ENDPOINTS:
        return
    if request_holds_nul():
        abort(400, "text must not contain NUL characters")


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_characters)
