"""The webhook benchmark's durable reference (`bench/durable_twiml.py`): a signed webhook is
stored as one row before its TwiML is answered, and a forged one is refused.

On PostgreSQL (`TEST_DATABASE_URL` when it names one, else the local server's `test_bench`
database, made if missing), in a table of the test's own that it drops afterwards.
"""

import dataclasses
import os
import uuid
from urllib.parse import urlencode

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from bench.bare_twiml import ENQUEUE_TWIML, VOICE_TWIML
from bench.durable_twiml import conninfo, create_app
from bench.load import Callers
from bench.servers import AUTH_TOKEN
from tests.support.requirements import needs

LOCAL_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test_bench"


def postgres_answers() -> bool:
    try:
        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=2"):
            return True
    except psycopg.Error:
        return False


pytestmark = needs(os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql") or postgres_answers(), "needs PostgreSQL (CI starts it)")


def postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        return url
    admin = make_url(LOCAL_DATABASE).set(database="postgres")
    with psycopg.connect(conninfo(admin.render_as_string(hide_password=False)), autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = 'test_bench'").fetchone() is None:
            connection.execute("CREATE DATABASE test_bench")
    return LOCAL_DATABASE


@pytest.fixture
def durable():
    """The reference's test client and a function counting its rows."""
    url, table = postgres_url(), f"durable_webhooks_{uuid.uuid4().hex[:12]}"
    app = create_app(url, AUTH_TOKEN, "http://localhost", table=table)

    def rows() -> list[tuple[str, dict]]:
        with psycopg.connect(conninfo(url)) as connection:
            return connection.execute(sql.SQL("SELECT path, params FROM {}").format(sql.Identifier(table))).fetchall()

    yield app.test_client(), rows
    app.extensions["durable_pool"].dispose()
    with psycopg.connect(conninfo(url), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(table)))


def post(client, hook, signature=None):
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature or hook.signature}
    return client.post(hook.path, data=hook.body, headers=headers)


def test_a_signed_webhook_is_stored_as_one_row_and_answered_with_twiml(durable):
    client, rows = durable
    key = Callers("http://localhost", queue_length=1).fill()[0]
    response = post(client, key)
    assert response.status_code == 200 and response.mimetype == "text/xml"
    assert response.get_data(as_text=True) == ENQUEUE_TWIML
    [(path, params)] = rows()
    assert path == "/twilio/menu" and params["CallSid"] == key.call_sid and params["Digits"]


def test_an_incoming_call_is_greeted_with_the_menu(durable):
    client, rows = durable
    [call] = Callers("http://localhost", queue_length=0).incoming(1)
    response = post(client, call)
    assert response.status_code == 200 and response.get_data(as_text=True) == VOICE_TWIML
    assert [(path, params["CallSid"]) for path, params in rows()] == [("/twilio/voice", call.call_sid)]


def test_a_bad_signature_is_refused_and_nothing_stored(durable):
    client, rows = durable
    key = Callers("http://localhost", queue_length=1).fill()[0]
    assert post(client, key, signature="forged").status_code == 403
    # Signed, but for other parameters than those sent.
    tampered = dataclasses.replace(key, body=key.body + "&" + urlencode({"Digits": "9"}))
    assert post(client, tampered).status_code == 403
    assert rows() == []
