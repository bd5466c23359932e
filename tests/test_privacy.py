"""No caller number in plain text: not in the database, not in the logs."""

import logging
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from helpline.db import db
from tests.support.calls import call_events
from tests.support.provider import new_call_sid

NUMBER = "+989127654321"
FRAGMENTS = ("7654321", "9127654", "989127")


def database_text(app, database_url: str) -> str:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        files = [Path(url.database), Path(url.database + "-wal")]
        return "".join(path.read_bytes().decode("latin-1") for path in files if path.exists())
    with app.app_context():
        rows = db.session.execute(
            text("SELECT row_to_json(c)::text FROM calls c UNION ALL SELECT row_to_json(e)::text FROM call_events e")
        ).scalars()
        return "\n".join(rows)


def test_no_number_in_the_database_or_the_logs(app, provider, database_url, caplog):
    caplog.set_level(logging.DEBUG)
    call_sid = new_call_sid()
    for path, params in call_events(call_sid, NUMBER, "bridged"):
        provider.post(path, {**params, "Caller": NUMBER, "ForwardedFrom": NUMBER})
    # A malformed and a forged request carrying the number are logged too.
    provider.post("/twilio/status", {"CallSid": "bad", "From": NUMBER})
    provider.post("/twilio/status", {"CallSid": call_sid, "From": NUMBER}, signature="forged")

    # The logs are really captured (the forged request is logged), so their check means something.
    assert "bad signature" in caplog.text
    stored = database_text(app, database_url)
    assert call_sid in stored  # the scan does see the data
    for fragment in FRAGMENTS:
        assert fragment not in stored
        assert fragment not in caplog.text
