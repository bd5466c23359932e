"""Every blueprint and command of the service, in one list each, and the error answers."""

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from helpline import api, cli, counselor_log, health, i18n, login, openapi, pages, presence_views, taking, wallboard
from helpline.admin.routes import admin_api_bp, admin_bp
from helpline.demo import demo_command
from helpline.emulator import emulate_command
from helpline.extensions import csrf
from helpline.openapi.blueprint import validation_answer
from helpline.reports import api as reports_api
from helpline.reports import pages as reports_pages
from helpline.review.routes import review_api_bp, review_bp
from helpline.telephony.twilio import voice, voice_connect

# In the order they were first registered.
BLUEPRINTS = (
    voice.bp,
    voice_connect.bp,
    login.bp,
    api.bp,
    presence_views.bp,
    taking.bp,
    counselor_log.bp,
    pages.bp,
    health.bp,
    wallboard.bp,
    review_bp,
    review_api_bp,
    reports_api.bp,
    reports_pages.bp,
    admin_bp,
    admin_api_bp,
    i18n.bp,
    i18n.api_bp,
    openapi.bp,
)
# Forms carry CSRF tokens; these do not. The provider signs its requests; the JSON API relies on
# the SameSite=Lax session cookie, which browsers do not send on another site's POST, and on
# changes being JSON or carrying X-Requested-With (request_checks), which no form can.
WITHOUT_CSRF_TOKENS = (
    voice.bp,
    voice_connect.bp,
    api.bp,
    presence_views.bp,
    taking.bp,
    counselor_log.bp,
    review_api_bp,
    reports_api.bp,
    admin_api_bp,
    i18n.api_bp,
)
# The JSON login and logout are views of the login blueprint, whose page takes a form.
JSON_VIEWS_WITHOUT_CSRF_TOKENS = (login.login, login.logout)

COMMANDS = (cli.users_cli, cli.twiml_cli, cli.spool_cli, cli.retention_command, emulate_command, demo_command)


def init_app(app: Flask) -> None:
    for blueprint in WITHOUT_CSRF_TOKENS:
        csrf.exempt(blueprint)
    for view in JSON_VIEWS_WITHOUT_CSRF_TOKENS:
        csrf.exempt(view)
    openapi.init_app(app, BLUEPRINTS)
    for command in COMMANDS:
        app.cli.add_command(command)
    app.register_error_handler(HTTPException, http_error)


def http_error(error: HTTPException):
    """A one-line reason: JSON for the API, plain text for the provider and others. A body its
    schema refused names the field (helpline.openapi.blueprint)."""
    reason = error.description or error.name
    messages = (getattr(error, "data", None) or {}).get("messages")
    if messages is not None and request.path.startswith("/api/"):
        field, reason = validation_answer(messages)
        if field:
            return jsonify(error=f"{field}: {reason}", field=field), error.code
    if request.path.startswith("/api/"):
        return jsonify(error=reason), error.code
    return f"{reason}\n", error.code, {"Content-Type": "text/plain; charset=utf-8"}
