"""The helpline call logging and triage service."""

from pathlib import Path

from flask import Flask, jsonify, request
from flask_babel import Babel
from flask_login import current_user
from flask_migrate import Migrate
from flask_wtf import CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

import config
from helpline import background, live, logs, menu, metrics, request_checks, security_headers, session_lifetime, taxonomy, text_guard, webhook_recording
from helpline.db import db as database
from helpline.db import keep_long_statements_parsed
from helpline.spool import Spool
from helpline.taxonomy import LANGUAGES

migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()

RIGHT_TO_LEFT = {"fa"}

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config_class: type[config.Config] | None = None) -> Flask:
    config_class = config_class or config.profile()
    if config_class.ENV_NAME == "production":
        config_class.validate()
    app = Flask(__name__, instance_path=str(config.ROOT / "instance"))
    app.config.from_object(config_class)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config))
    phone_menu = menu.load(app.config["MENU_FILE"])
    categories = taxonomy.load(app.config["TAXONOMY_FILE"])
    unknown = {phone_menu.default_category, *phone_menu.keys.values()} - categories.top_level_keys
    if unknown:
        raise menu.MenuError(f"menu categories missing from the taxonomy: {', '.join(sorted(unknown))}")
    app.extensions["helpline.menu"] = phone_menu
    app.extensions["helpline.taxonomy"] = categories
    app.extensions["helpline.spool"] = Spool(app.config["SPOOL_DIR"])

    if app.config["PROXY_HOPS"]:
        # Only the client address: signatures are checked against PUBLIC_BASE_URL or the
        # scheme gunicorn takes from trusted proxies (forwarded_allow_ips).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_HOPS"], x_proto=0, x_host=0, x_port=0, x_prefix=0)
    Path(app.instance_path).mkdir(exist_ok=True)
    database.init_app(app)
    migrate.init_app(app, database, directory=str(MIGRATIONS))
    logs.init_app(app)
    background.init_app(app)
    live.init_app(app)
    webhook_recording.init_app(app)
    # In this order: a body is refused for its size before anything reads it, and an expired
    # session is logged out before the text guard asks who is sending.
    request_checks.init_app(app)
    session_lifetime.init_app(app)
    text_guard.init_app(app)

    from helpline import api, auth, cli, counselor_log, health, pages, presence, taking, voice, voice_connect
    from helpline.demo import demo_command
    from helpline.emulator import emulate_command

    security_headers.init_app(app)
    auth.login_manager.init_app(app)
    auth.limiter.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=page_language)
    app.context_processor(lambda: {"page_language": page_language(), "page_direction": page_direction()})
    json_api = (api.bp, presence.bp, taking.bp, counselor_log.bp)
    # Forms carry CSRF tokens. The provider signs its requests; the JSON API relies on the
    # SameSite=Lax session cookie, which browsers do not send on another site's POST, and on
    # changes being JSON or carrying X-Requested-With (request_checks), which no form can.
    for blueprint in (voice.bp, voice_connect.bp, *json_api):
        csrf.exempt(blueprint)
    csrf.exempt(auth.login)
    csrf.exempt(auth.logout)
    for blueprint in (voice.bp, voice_connect.bp, auth.bp, *json_api, pages.bp, health.bp):
        app.register_blueprint(blueprint)
    for command in (cli.users_cli, cli.twiml_cli, cli.spool_cli, cli.retention_command, emulate_command, demo_command):
        app.cli.add_command(command)

    from helpline.wallboard import bp as wallboard_bp
    app.register_blueprint(wallboard_bp)
    from helpline.review import api_bp as review_api_bp
    from helpline.review import bp as review_bp
    csrf.exempt(review_api_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(review_api_bp)
    from helpline.reports.api import bp as reports_api_bp
    from helpline.reports.pages import bp as reports_pages_bp
    csrf.exempt(reports_api_bp)
    app.register_blueprint(reports_api_bp)
    app.register_blueprint(reports_pages_bp)
    from helpline.admin.routes import admin_api_bp, admin_bp
    csrf.exempt(admin_api_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(admin_api_bp)
    from helpline import i18n
    i18n.init_app(app)
    csrf.exempt(i18n.api_bp)
    app.register_blueprint(i18n.bp)
    app.register_blueprint(i18n.api_bp)
    from helpline import openapi
    app.register_blueprint(openapi.bp)
    app.register_error_handler(HTTPException, http_error)
    # Last: it measures every route registered above, as the server calls them.
    metrics.init_app(app)
    return app


def page_language() -> str:
    """The user's chosen language; for the anonymous, the browser's best match."""
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    if not request:
        return LANGUAGES[0]
    # Browsers in Tajikistan are often set to Russian: Tajik is their page.
    best = request.accept_languages.best_match((*LANGUAGES, "ru"), default=LANGUAGES[0])
    return "tg" if best == "ru" else best


def page_direction() -> str:
    return "rtl" if page_language() in RIGHT_TO_LEFT else "ltr"


# Connections a process keeps open to PostgreSQL, and how many more it may open for a burst:
# three processes at their most (30 each) stay within the server's default max_connections (100).
DATABASE_POOL_SIZE = 20
DATABASE_POOL_OVERFLOW = 10


def engine_options(settings) -> dict:
    """Bounded waits on the database, so a webhook fails open rather than hanging."""
    url = settings["SQLALCHEMY_DATABASE_URI"]
    timeout = settings["DATABASE_TIMEOUT_SECONDS"]
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": timeout}}
    if url.startswith("postgresql"):
        # No JIT: the service's statements are short, and PostgreSQL's cost estimate for the
        # rollup triggers' inserts passes jit_above_cost, so each webhook compiled them anew
        # (about 5 ms a statement, most of a webhook's time).
        # Row locks wait no longer than the database may take to answer: a webhook queued
        # behind a long replay or a deadlock fails open to the spool instead of stalling, and a
        # migration that cannot get its lock at once gives up rather than queue every webhook
        # behind it. Set once per connection: a `SET LOCAL` cost each webhook a round trip.
        # Pooled connections are checked after a rest (helpline.db), not at every checkout.
        lock_timeout = max(1, int(timeout * 1000))
        options = f"-c jit=off -c lock_timeout={lock_timeout}"
        keep_long_statements_parsed()
        # The pool keeps as many connections as a busy process has requests at once: beyond
        # its size each one is opened for a request and closed after it, which cost a new
        # PostgreSQL backend every few webhooks under load.
        return {
            "pool_size": DATABASE_POOL_SIZE,
            "max_overflow": DATABASE_POOL_OVERFLOW,
            "connect_args": {"connect_timeout": max(1, round(timeout)), "options": options},
        }
    return {"pool_pre_ping": True}


def http_error(error: HTTPException):
    """A one-line reason: JSON for the API, plain text for the provider and others."""
    reason = error.description or error.name
    if request.path.startswith("/api/"):
        return jsonify(error=reason), error.code
    return f"{reason}\n", error.code, {"Content-Type": "text/plain; charset=utf-8"}
