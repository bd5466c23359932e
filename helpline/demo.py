"""`flask --app wsgi demo`: the service and the telephony emulator together, for a first look.

Migrates the database, makes demo users (printing their passwords), serves the app on
loopback, and has the emulator place calls against it over real HTTP with real signatures,
and answer the service's REST calls, so a newcomer can log in, watch callers arrive, take
one and log it. Runs until interrupted.
"""

import logging
import secrets
import threading
import time

import click
import requests
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.serving import make_server

from helpline import background
from helpline.db import db
from helpline.emulator import Options, Range, RestServer, run
from helpline.models import User

DEMO_USERS = (("leila", "counselor"), ("omid", "counselor"), ("sara", "supervisor"))


def serve(app, host: str, port: int) -> None:
    # Werkzeug's threaded server, which Flask-SocketIO's threading mode runs on in development.
    make_server(host, port, app, threaded=True).serve_forever()


def wait_until_up(base_url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(base_url + "/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise click.ClickException(f"the service did not answer at {base_url}")


def demo_users() -> dict[str, str]:
    """The demo's users with fresh passwords (made anew at each start)."""
    passwords = {}
    for username, role in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(username=username, role=role)
            db.session.add(user)
        passwords[username] = secrets.token_urlsafe(9)
        user.set_password(passwords[username])
    db.session.commit()
    return passwords


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--batch", default=10, show_default=True, type=click.IntRange(1), help="Calls per batch.")
@click.option("--rate", default=0.2, show_default=True, type=click.FloatRange(min=0, min_open=True), help="Calls per second.")
@click.option("--time-scale", default=0.2, show_default=True, type=click.FloatRange(min=0), help="Real seconds per emulated second.")
@click.option("--batches", default=0, show_default=True, type=click.IntRange(0), help="Stop after this many (0: until Ctrl-C).")
@with_appcontext
def demo_command(host: str, port: int, batch: int, rate: float, time_scale: float, batches: int) -> None:
    """Start the service and place emulated calls against it."""
    app = current_app._get_current_object()
    # The batch summaries tell the story; a line per request would bury them.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    upgrade()
    passwords = demo_users()
    base_url = f"http://{host}:{port}"
    config = app.config
    with RestServer(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"]) as rest:
        config["TWILIO_API_BASE_URL"] = rest.base_url
        config["PUBLIC_BASE_URL"] = base_url
        threading.Thread(target=serve, args=(app, host, port), name="helpline-server", daemon=True).start()
        wait_until_up(base_url)
        background.serve(app)
        click.echo(f"\nThe helpline is up: open {base_url}/ and log in as")
        for username, role in DEMO_USERS:
            click.echo(f"    {username:6} ({role})  password {passwords[username]}")
        click.echo("Set yourself available, take a caller, talk, then log the call. Ctrl-C stops.\n")
        # Patient callers, so a newcomer has time to take one; those nobody takes hang up.
        options = Options(
            calls=batch, rate=rate, time_scale=time_scale, bridge="rest", wait=Range(120, 600), talk=Range(30, 120)
        )
        done = 0
        while not batches or done < batches:
            summary = run(base_url, config["TWILIO_AUTH_TOKEN"], config["TWILIO_ACCOUNT_SID"], options, rest_server=rest)
            done += 1
            click.echo(f"batch {done}:\n{summary.text()}")
