"""The production server: gunicorn with config/gunicorn.conf.py, over real HTTP on loopback."""

import os
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from urllib.parse import urljoin

import pytest
import requests
from twilio.request_validator import RequestValidator

import config
from helpline.db import db
from helpline.models import Call
from tests.conftest import Provider, new_call_sid

NUMBER = "+989127654321"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(app, tmp_path):
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "HELPLINE_ENV": "production",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "gunicorn-test-secret",
        "TWILIO_AUTH_TOKEN": app.config["TWILIO_AUTH_TOKEN"],
        "TWILIO_ACCOUNT_SID": app.config["TWILIO_ACCOUNT_SID"],
        "CALLER_HASH_KEY": app.config["CALLER_HASH_KEY"],
        "CALLER_ENCRYPTION_KEY": app.config["CALLER_ENCRYPTION_KEY"],
        "SPOOL_DIR": str(tmp_path / "spool"),
        "PUBLIC_BASE_URL": base_url,
        "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port}",
    }
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "wsgi:app"],
            cwd=config.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(base_url + "/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert server.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "gunicorn did not come up"
            time.sleep(0.1)
        yield base_url, log_path
    finally:
        server.terminate()
        server.wait(timeout=20)


def signed_post(session, validator, url, params):
    return session.post(url, data=params, headers={"X-Twilio-Signature": validator.compute_signature(url, params)}, timeout=5)


def test_a_whole_call_through_gunicorn(app, gunicorn):
    base_url, log_path = gunicorn
    validator = RequestValidator(app.config["TWILIO_AUTH_TOKEN"])
    session = requests.Session()
    call_sid = new_call_sid()
    params = Provider.params(call_sid, NUMBER)

    answer = signed_post(session, validator, base_url + "/twilio/voice?lang=en", {**params, "CallStatus": "ringing"})
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/xml")
    gather_url = urljoin(answer.url, ET.fromstring(answer.text).find("Gather").get("action"))
    queued = signed_post(session, validator, gather_url, {**params, "CallStatus": "in-progress", "Digits": "9"})
    enqueue = ET.fromstring(queued.text).find("Enqueue")
    hold = signed_post(session, validator, urljoin(queued.url, enqueue.get("waitUrl")), {**params, "QueueTime": "3", "QueuePosition": "1"})
    assert ET.fromstring(hold.text).find("Play") is not None
    done = signed_post(session, validator, urljoin(queued.url, enqueue.get("action")), {**params, "QueueResult": "bridged", "QueueTime": "4"})
    assert ET.fromstring(done.text).find("Hangup") is not None
    status = signed_post(session, validator, base_url + "/twilio/status", {**params, "CallStatus": "completed", "CallDuration": "60"})
    assert status.status_code == 204

    forged = session.post(base_url + "/twilio/status", data=params, headers={"X-Twilio-Signature": "forged"})
    assert forged.status_code == 403

    with app.app_context():
        record = db.session.get(Call, call_sid)
        assert (record.priority, record.queue_result, record.status, record.duration_seconds) == ("emergency", "bridged", "completed", 60)
    log = log_path.read_text()
    assert "/twilio/status" in log and "7654321" not in log
