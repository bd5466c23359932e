"""The app and the telephony emulator on real loopback ports, in threads, for end-to-end tests."""

import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import requests
from werkzeug.serving import make_server

import config
from helpline import background, live
from helpline.emulator import Options, run


@contextmanager
def serving(app, *, check_threads: bool = True):
    """The app on a real loopback port, in a thread; no thread is left behind."""
    before = set(threading.enumerate())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="test-server")
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
        # The app's own threads (pushes, the spool's replay) stop with the server (a stub
        # standing in for another service has none).
        if background.EXTENSION in app.extensions:
            live.settle_pushes(app)
            assert background.stop(app), "the app's background threads did not stop"
        deadline = time.monotonic() + 5
        while set(threading.enumerate()) - before and time.monotonic() < deadline:
            time.sleep(0.02)
        # A browser's websocket may keep a server thread a moment longer than the test.
        assert not check_threads or not set(threading.enumerate()) - before, "threads left running"


def wait_for(condition, what: str, timeout: float = 8.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def emulating(base_url: str, account_sid: str, auth_token: str, defaults: dict | None = None, **options):
    """The emulator in a background thread; stopped (live calls hung up) and joined on exit.
    Yields a dict that holds the Summary afterwards, and the REST server's base URL."""
    stop, outcome, rest_base = threading.Event(), {}, {}
    started = threading.Event()

    def on_rest_started(url: str) -> None:
        rest_base["url"] = url
        started.set()

    def work() -> None:
        try:
            outcome["summary"] = run(
                base_url, auth_token, account_sid, Options(**{**(defaults or {}), "rest_listen": "127.0.0.1:0", **options}),
                stop=stop, on_rest_started=on_rest_started,
            )
        finally:
            started.set()

    thread = threading.Thread(target=work, name="test-emulator")
    thread.start()
    try:
        assert started.wait(5) and "url" in rest_base, "the REST server did not start"
        yield outcome, rest_base["url"]
    finally:
        stop.set()
        thread.join(15)
        assert not thread.is_alive(), "the emulator did not stop"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn_process(app, directory: Path, ready_path: str = "/healthz", **environment):
    """The production server (config/gunicorn.conf.py) on a loopback port, with the test
    app's database and secrets; yields its base URL and the path of its log once `ready_path`
    answers 200 (a health check also replays the spool: a test that must not, asks another page)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "HELPLINE_ENV": "production",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "gunicorn-test-secret",
        "SESSION_COOKIE_SECURE": "0",
        "TWILIO_AUTH_TOKEN": app.config["TWILIO_AUTH_TOKEN"],
        "TWILIO_ACCOUNT_SID": app.config["TWILIO_ACCOUNT_SID"],
        "CALLER_HASH_KEY": app.config["CALLER_HASH_KEY"],
        "CALLER_ENCRYPTION_KEY": app.config["CALLER_ENCRYPTION_KEY"],
        "SPOOL_DIR": str(directory / f"spool-{port}"),
        "PUBLIC_BASE_URL": base_url,
        "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port}",
        **environment,
    }
    log_path = directory / f"gunicorn-{port}.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "wsgi:app"],
            cwd=config.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(base_url + ready_path, timeout=5).status_code == 200:
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
