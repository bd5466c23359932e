"""`flask --app wsgi demo`: the service and the telephony emulator together, for a first look.

Migrates the database, serves the app on loopback, and has the emulator place calls against
it over real HTTP with real signatures until interrupted, printing what each batch did.
"""

import logging
import threading
import time

import click
import requests
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from werkzeug.serving import make_server

from helpline.emulator import Options, run


def serve(app, host: str, port: int) -> None:
    # Werkzeug's threaded server, which Flask-SocketIO's threading mode runs on in development.
    make_server(host, port, app, threaded=True).serve_forever()


def wait_until_up(base_url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(base_url + "/healthz", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise click.ClickException(f"the service did not answer at {base_url}")


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--batch", default=10, show_default=True, type=click.IntRange(1), help="Calls per batch.")
@click.option("--rate", default=0.5, show_default=True, type=click.FloatRange(min=0, min_open=True), help="Calls per second.")
@click.option("--time-scale", default=0.05, show_default=True, type=click.FloatRange(min=0), help="Real seconds per emulated second.")
@click.option("--batches", default=0, show_default=True, type=click.IntRange(0), help="Stop after this many (0: until Ctrl-C).")
@with_appcontext
def demo_command(host: str, port: int, batch: int, rate: float, time_scale: float, batches: int) -> None:
    """Start the service and place emulated calls against it."""
    app = current_app._get_current_object()
    # The batch summaries tell the story; a line per request would bury them.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    upgrade()
    base_url = f"http://{host}:{port}"
    threading.Thread(target=serve, args=(app, host, port), name="helpline-server", daemon=True).start()
    wait_until_up(base_url)
    click.echo(f"The service is up at {base_url}; the emulator places {batch} calls a batch. Ctrl-C stops.")
    options = Options(calls=batch, rate=rate, time_scale=time_scale)
    done = 0
    while not batches or done < batches:
        summary = run(base_url, app.config["TWILIO_AUTH_TOKEN"], app.config["TWILIO_ACCOUNT_SID"], options)
        done += 1
        click.echo(f"batch {done}:\n{summary.text()}")
