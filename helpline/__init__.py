"""The helpline call logging and triage service: the app factory."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import config
from helpline import (
    auth,
    background,
    danger_sweep,
    i18n,
    live,
    live_handlers,  # noqa: F401 (its handlers register themselves on import)
    logs,
    menu,
    metrics,
    request_checks,
    routes,
    security_headers,
    serializers,
    session_lifetime,
    taxonomy,
    text_guard,
    wallboard,
    webhook_recording,
)
from helpline.call_queue import count_version
from helpline.db import db as database
from helpline.db import engine_options, listen_to_engine
from helpline.extensions import babel, csrf, migrate
from helpline.spool import Spool

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

# What the dashboards' events carry (`helpline.live` sends them).
DASHBOARD_BODIES = live.Bodies(
    queue=serializers.queue_body,
    count_queue_version=count_version,
    presence=serializers.presence_body,
    me=serializers.me_body,
    wallboard=wallboard.wallboard_body,
)


def create_app(config_class: type[config.Config] | None = None) -> Flask:
    config_class = config_class or config.profile()
    if config_class.ENV_NAME == "production":
        config_class.validate()
    app = Flask(__name__, instance_path=str(config.ROOT / "instance"))
    app.config.from_object(config_class)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config))
    load_line_files(app)
    app.extensions["helpline.spool"] = Spool(app.config["SPOOL_DIR"])

    if app.config["PROXY_HOPS"]:
        # Only the client address: signatures are checked against PUBLIC_BASE_URL or the
        # scheme gunicorn takes from trusted proxies (forwarded_allow_ips).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_HOPS"], x_proto=0, x_host=0, x_port=0, x_prefix=0)
    Path(app.instance_path).mkdir(exist_ok=True)
    database.init_app(app)
    listen_to_engine(app)
    migrate.init_app(app, database, directory=str(MIGRATIONS))
    logs.init_app(app)
    background.init_app(app)
    live.init_app(app, DASHBOARD_BODIES)
    danger_sweep.init_app(app)
    webhook_recording.init_app(app)
    # In this order: a body is refused for its size before anything reads it, and an expired
    # session is logged out before the text guard asks who is sending.
    request_checks.init_app(app)
    session_lifetime.init_app(app)
    text_guard.init_app(app)
    security_headers.init_app(app)
    auth.login_manager.init_app(app)
    auth.limiter.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.page_language)
    i18n.init_app(app)
    routes.init_app(app)
    # Last: it measures every route registered above, as the server calls them.
    metrics.init_app(app)
    return app


def load_line_files(app: Flask) -> None:
    """The phone menu and the taxonomy, which must agree on the categories."""
    phone_menu = menu.load(app.config["MENU_FILE"])
    categories = taxonomy.load(app.config["TAXONOMY_FILE"])
    unknown = {phone_menu.default_category, *phone_menu.keys.values()} - categories.top_level_keys
    if unknown:
        raise menu.MenuError(f"menu categories missing from the taxonomy: {', '.join(sorted(unknown))}")
    app.extensions["helpline.menu"] = phone_menu
    app.extensions["helpline.taxonomy"] = categories
