"""The production server: gunicorn with config/gunicorn.conf.py, over real HTTP on loopback."""

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from twilio.request_validator import RequestValidator

from helpline.db import db
from helpline.models import Call
from tests.support.provider import Provider, new_call_sid
from tests.support.servers import gunicorn_process

NUMBER = "+989127654321"


@pytest.fixture
def gunicorn(app, tmp_path):
    with gunicorn_process(app, tmp_path) as (base_url, log_path):
        yield base_url, log_path


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


def test_a_worker_switches_threads_every_millisecond_and_freezes_what_start_up_made():
    """What `post_worker_init` does to the worker's interpreter, run as gunicorn runs it."""
    setup = (
        "import gc, runpy, sys; settings = runpy.run_path('config/gunicorn.conf.py'); "
        "settings['post_worker_init'](None); print(sys.getswitchinterval(), gc.get_freeze_count())"
    )
    root = Path(__file__).resolve().parent.parent
    printed = subprocess.run([sys.executable, "-c", setup], cwd=root, capture_output=True, text=True, check=True).stdout.split()
    assert float(printed[0]) == 0.001
    assert int(printed[1]) > 10_000
