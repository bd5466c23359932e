"""The webhook benchmark's durable reference: the least a webhook that acknowledges only what is
durable can cost. A bare Flask endpoint that checks the provider's signature with the twilio
library's `RequestValidator`, inserts the request's parameters as one row into a PostgreSQL
table of its own, and answers the same fixed TwiML as `bench/bare_twiml.py`, under the same
gunicorn settings as the service:

    gunicorn -c config/gunicorn.conf.py 'bench.durable_twiml:create_app()'

It reads the service's environment: `DATABASE_URL`, `TWILIO_AUTH_TOKEN` and `PUBLIC_BASE_URL`
(the URL the provider signs for). Connections come from a pool as large as the service's. The
INSERT runs on its own and the server commits it as it ends (autocommit: one round trip, as the
service's webhook records itself on PostgreSQL); with `synchronous_commit` on, the answer leaves
only once the row's WAL is on disk. The app refuses to start on a server where it is off.
"""

import os
from contextlib import closing

import psycopg
from flask import Flask, Response, abort, request
from psycopg import sql
from psycopg.types.json import Jsonb
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool
from twilio.request_validator import RequestValidator, compare

from bench.bare_twiml import ENQUEUE_TWIML, VOICE_TWIML

TABLE = "durable_webhooks"
# As many connections as the service keeps (`DATABASE_POOL_SIZE`), so neither waits for one.
POOL_SIZE = 20


def conninfo(database_url: str) -> str:
    """psycopg's form of a SQLAlchemy URL (`postgresql+psycopg://…`)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def prepare_table(connection: psycopg.Connection, table: str) -> str:
    """Create the table if it is missing (several processes may start at once: an advisory lock
    keeps them from racing) and return the INSERT for it."""
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [table])
        connection.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (id bigserial PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now(), "
                "path text NOT NULL, params jsonb NOT NULL)"
            ).format(sql.Identifier(table))
        )
    for setting in ("synchronous_commit", "fsync"):
        if connection.execute(sql.SQL("SHOW {}").format(sql.Identifier(setting))).fetchone()[0] != "on":
            raise RuntimeError(f"{setting} is off: the reference would not be durable")
    return sql.SQL("INSERT INTO {} (path, params) VALUES (%s, %s)").format(sql.Identifier(table)).as_string(connection)


def create_app(database_url: str | None = None, auth_token: str | None = None, public_base_url: str | None = None, table: str = TABLE) -> Flask:
    """The app; what is not given comes from the environment, as gunicorn starts it."""
    info = conninfo(database_url or os.environ["DATABASE_URL"])
    validator = RequestValidator(auth_token or os.environ["TWILIO_AUTH_TOKEN"])
    base_url = (public_base_url or os.environ["PUBLIC_BASE_URL"]).rstrip("/")
    with psycopg.connect(info, autocommit=True) as connection:
        insert = prepare_table(connection, table)
    pool = QueuePool(lambda: psycopg.connect(info, autocommit=True), pool_size=POOL_SIZE, max_overflow=0, timeout=30)

    app = Flask(__name__)
    app.extensions["durable_pool"] = pool

    def store() -> None:
        # The URL the provider signed: ours, with the query string as sent. Checked as the service
        # checks it: that URL first, then `validate` (with the port and without) for the rest.
        url = base_url + request.full_path.removesuffix("?")
        signature = request.headers.get("X-Twilio-Signature", "")
        if not (compare(validator.compute_signature(url, request.form), signature) or validator.validate(url, request.form, signature)):
            abort(403)
        with closing(pool.connect()) as connection:
            connection.driver_connection.execute(insert, (request.path, Jsonb(request.form.to_dict())))

    @app.post("/twilio/voice")
    def voice():
        store()
        return Response(VOICE_TWIML, mimetype="text/xml")

    @app.post("/twilio/menu")
    @app.post("/twilio/queue-result")
    def answer():
        store()
        return Response(ENQUEUE_TWIML, mimetype="text/xml")

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app
