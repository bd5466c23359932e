"""The app and the telephony emulator on real loopback ports, in threads, for end-to-end tests."""

import threading
import time
from contextlib import contextmanager

from werkzeug.serving import make_server

from helpline.emulator import Options, run


@contextmanager
def serving(app):
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
        deadline = time.monotonic() + 5
        while set(threading.enumerate()) - before and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not set(threading.enumerate()) - before, "threads left running"


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
