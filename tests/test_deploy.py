"""The deployment of docs/deploy.md, as documented: nginx with config/nginx.conf (TLS, its ports
and certificate swapped for the test's) in front of two gunicorn processes sharing the database
and Redis. A signed webhook validates through the proxy, and a dashboard's websocket through the
proxy receives the queue changes made by either process. The systemd units pass
`systemd-analyze verify`.

The proxy tests need nginx (`.ci/run` installs Debian's) and Redis (TEST_REDIS_URL); the units'
test needs systemd-analyze; each is skipped without them.
"""

import datetime
import ipaddress
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests
import socketio
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from twilio.request_validator import RequestValidator

import config
from bench import nginx
from helpline.db import db
from helpline.models import Call
from tests.support.provider import Provider, new_call_sid
from tests.support.requirements import needs
from tests.support.servers import free_port, gunicorn_process, wait_for

REDIS_URL = os.environ.get("TEST_REDIS_URL")
NUMBER = "+989127654321"

SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
UNITS = ("helpline@.service", "helpline-retention.service", "helpline-retention.timer")


def needs_proxy(test):
    for mark in (
        needs(nginx.NGINX is not None, "nginx is not installed (apt-get install nginx; CI does)"),
        needs(REDIS_URL, "TEST_REDIS_URL is not set (CI starts Redis)"),
    ):
        test = mark(test)
    return test


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def https_session(certificate: Path) -> requests.Session:
    """A session trusting the test's certificate (and not the environment's CA bundle, which
    requests would otherwise prefer to the session's own setting)."""
    session = requests.Session()
    session.trust_env = False
    session.verify = str(certificate)
    return session


class Dashboard:
    """A counselor's dashboard through the proxy: logged in over HTTPS, its socket a websocket."""

    def __init__(self, base_url: str, certificate: Path, username: str, password: str = "correct horse battery"):
        session = https_session(certificate)
        login = session.post(f"{base_url}/api/login", json={"username": username, "password": password}, timeout=10)
        assert login.status_code == 200, login.text
        self.snapshots: queue.Queue = queue.Queue()
        self.client = socketio.Client(reconnection=False, http_session=session)
        self.client.on("queue", self.snapshots.put)
        cookie = "; ".join(f"{name}={value}" for name, value in session.cookies.items())
        try:
            self.client.connect(base_url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=10)
        except socketio.exceptions.ConnectionError:
            # Asked to try again (the service could not set the connection up), as the page would.
            time.sleep(1)
            self.client.connect(base_url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=10)

    def wait_for_caller(self, call_sid: str, timeout: float = 15) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                body = self.snapshots.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if call_sid in [entry["call_sid"] for entry in body["calls"]]:
                return body
        raise AssertionError(f"no queue snapshot with {call_sid} arrived through the proxy")

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture
def deployment(app, auth, tmp_path):
    """Two processes (one with PUBLIC_BASE_URL, one rebuilding URLs from the proxy's headers)
    behind nginx; yields the public URL, the two processes' own URLs and the certificate."""
    auth.create()
    https_port, http_port = free_port(), free_port()
    public_url = f"https://127.0.0.1:{https_port}"
    shared = {"REDIS_URL": REDIS_URL, "SESSION_COOKIE_SECURE": "1", "FORWARDED_ALLOW_IPS": "127.0.0.1"}
    cert, key = self_signed_certificate(tmp_path)
    access_log = tmp_path / "nginx-access.log"
    with (
        gunicorn_process(app, tmp_path, **shared, PUBLIC_BASE_URL=public_url) as (first, first_log),
        gunicorn_process(app, tmp_path, **shared, PUBLIC_BASE_URL="") as (second, second_log),
    ):
        upstreams = [first.removeprefix("http://"), second.removeprefix("http://")]
        with nginx.running(tmp_path, nginx.site(upstreams, https_port, http_port, access_log, (cert, key))):
            session = https_session(cert)
            wait_for(lambda: healthy(session, public_url), "nginx to answer", timeout=15)
            yield {
                "public": public_url, "processes": (first, second), "certificate": cert, "session": session,
                "access_log": access_log, "service_logs": (first_log, second_log), "http_port": http_port,
            }


def healthy(session, base_url) -> bool:
    try:
        return session.get(base_url + "/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def place_caller(session, post_url: str, signed_url: str, auth_token: str, digits: str = "1") -> tuple[str, requests.Response]:
    call_sid = new_call_sid()
    params = Provider.params(call_sid, NUMBER, Digits=digits, CallStatus="in-progress")
    signature = RequestValidator(auth_token).compute_signature(signed_url, params)
    return call_sid, session.post(post_url, data=params, headers={"X-Twilio-Signature": signature}, timeout=10)


@needs_proxy
def test_signed_webhooks_validate_through_the_proxy(app, deployment):
    session, public = deployment["session"], deployment["public"]
    token = app.config["TWILIO_AUTH_TOKEN"]
    url = f"{public}/twilio/menu?attempt=1&lang=en"
    # nginx takes turns between the processes: four calls reach both of them.
    placed = [place_caller(session, url, url, token) for _ in range(4)]
    for _, answer in placed:
        assert answer.status_code == 200, answer.text
        assert ET.fromstring(answer.text).find("Enqueue") is not None
        assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-Id"])
    forged = session.post(url, data=Provider.params(new_call_sid(), NUMBER, Digits="1"), headers={"X-Twilio-Signature": "forged"}, timeout=10)
    assert forged.status_code == 403
    with app.app_context():
        assert all(db.session.get(Call, call_sid).category for call_sid, _ in placed)

    # Both processes answered, and each logged the request ids nginx gave (and logged itself).
    request_ids = {answer.headers["X-Request-Id"] for _, answer in placed}
    served = [
        {line["request_id"] for line in map(json.loads, log.read_text().splitlines()) if line.get("logger") == "gunicorn.access"}
        for log in deployment["service_logs"]
    ]
    assert all(ids & request_ids for ids in served), "nginx sent every webhook to the same process"
    nginx_lines = [json.loads(line) for line in deployment["access_log"].read_text().splitlines()]
    assert request_ids <= {line["request_id"] for line in nginx_lines}
    assert NUMBER[4:] not in deployment["access_log"].read_text()

    # Plain HTTP is sent to HTTPS.
    redirect = requests.get(f"http://127.0.0.1:{deployment['http_port']}/healthz", allow_redirects=False, timeout=10)
    assert redirect.status_code == 301 and redirect.headers["Location"].startswith("https://")
    # Metrics are scraped from each process, never through the balancer.
    assert session.get(public + "/metrics", timeout=10).status_code == 404


@needs_proxy
def test_a_dashboard_through_the_proxy_gets_pushes_from_either_process(app, deployment):
    dashboard = Dashboard(deployment["public"], deployment["certificate"], "counselor1")
    try:
        token = app.config["TWILIO_AUTH_TOKEN"]
        first, second = deployment["processes"]
        session = requests.Session()
        # Straight to each process, so one of them is surely not the dashboard's.
        path = "/twilio/menu?attempt=1&lang=en"
        for process, signed in ((first, deployment["public"] + path), (second, second + path)):
            call_sid, answer = place_caller(session, process + path, signed, token, digits="9")
            assert answer.status_code == 200, answer.text
            pushed = dashboard.wait_for_caller(call_sid)
            assert pushed["calls"][0]["priority"] == "emergency"
    finally:
        dashboard.close()


@needs(SYSTEMD_ANALYZE is not None, "systemd-analyze is not installed (apt-get install systemd; CI does)")
def test_the_systemd_units_verify(tmp_path):
    """The units as documented, with /opt/helpline and its .venv standing for this checkout's."""
    for unit in UNITS:
        text = (config.ROOT / "config" / unit).read_text()
        text = text.replace("/opt/helpline/.venv/bin/", f"{Path(sys.executable).parent}/").replace("/opt/helpline", str(config.ROOT))
        (tmp_path / unit).write_text(text)
    # A template is verified through an instance of it.
    shutil.copy(tmp_path / "helpline@.service", tmp_path / "helpline@8001.service")
    units = [str(tmp_path / unit) for unit in ("helpline@8001.service", *UNITS[1:])]
    verified = subprocess.run([SYSTEMD_ANALYZE, "verify", *units], capture_output=True, text=True, cwd=tmp_path, check=False)
    assert verified.returncode == 0 and verified.stderr == "", verified.stderr
