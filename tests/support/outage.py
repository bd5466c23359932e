"""Making the database stop answering, for real: a TCP proxy for PostgreSQL, a held write
lock for SQLite. Also a private Redis to stop and start again, a black hole in front of a
server (accepts, never answers), and the pids of a gunicorn serving a port, to kill its worker.

Fixtures (registered by conftest.py): `outage`, and `fragile_app` (made with `fragile_settings`)
with its `fragile_provider`: the app on a database the test can take away, waiting for it at
most 0.3 s."""

import fcntl
import socket
import sqlite3
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from helpline.db import db
from helpline.models import Call, CallEvent
from tests.support.provider import Provider
from tests.support.servers import gunicorn_process


class TcpProxy:
    """Forwards a loopback port to a server; `stop()` drops every connection and refuses new ones."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = None
        self._listener = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        # Black-holed: connections are accepted and what they send is swallowed, nothing comes back.
        self.black_hole = False

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port or 0))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        # A thread blocked in accept() keeps a closed listener alive; shutdown wakes it.
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if self.black_hole:
                with self._lock:
                    self._sockets.append(client)
                threading.Thread(target=self._swallow, args=(client,), daemon=True).start()
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def swallow(self) -> None:
        """From now on: drop every forwarded connection, then accept new ones and never answer."""
        self._switch(black_hole=True)

    def forward(self) -> None:
        """Forward again; black-holed connections are dropped, as a recovered network would."""
        self._switch(black_hole=False)

    def _switch(self, *, black_hole: bool) -> None:
        """Drop every connection held so far, and treat new ones as `black_hole` says."""
        with self._lock:
            self.black_hole = black_hole
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self._sockets.clear()

    @staticmethod
    def _swallow(client: socket.socket) -> None:
        try:
            while client.recv(65536):
                pass
        except OSError:
            pass

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class Outage:
    """Database downtime on demand for one database URL; `url` is what the app must use."""

    def __init__(self, database_url: str):
        self.original = make_url(database_url)
        self.proxy = None
        self._holder = None
        if self.original.get_backend_name() == "postgresql":
            self.proxy = TcpProxy(self.original.host or "127.0.0.1", self.original.port or 5432)
            self.proxy.start()
            self.url = self.original.set(host="127.0.0.1", port=self.proxy.port).render_as_string(hide_password=False)
        else:
            self.url = database_url

    def begin(self) -> None:
        if self.proxy:
            self.proxy.stop()
        else:
            # Another process holding the write lock: every write waits out its timeout and fails.
            self._holder = sqlite3.connect(self.original.database, isolation_level=None)
            self._holder.execute("BEGIN EXCLUSIVE")

    def end(self) -> None:
        if self.proxy:
            self.proxy.start()
        else:
            self._holder.execute("ROLLBACK")
            self._holder.close()

    def close(self) -> None:
        if self.proxy:
            self.proxy.stop()

    @contextmanager
    def down(self):
        self.begin()
        try:
            yield
        finally:
            self.end()


class PrivateRedis:
    """A redis-server of the test's own on a free loopback port, to stop and start again
    (the shared Redis is never touched)."""

    def __init__(self, directory: Path):
        self.directory = directory
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.directory), "--logfile", str(self.directory / f"redis-{self.port}.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            assert self.process.poll() is None and time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None


def gunicorn_pids(port: int) -> tuple[int, list[int]]:
    """The master and the workers of the gunicorn started for this port (tests/live_servers.py
    gives each its own `--bind` in GUNICORN_CMD_ARGS)."""
    marker = f"GUNICORN_CMD_ARGS=--bind 127.0.0.1:{port}".encode()
    serving = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            status = (entry / "status").read_text()
        except OSError:
            continue
        if "State:\tZ" in status:
            continue
        parent = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("PPid:"))
        serving[int(entry.name)] = parent
    masters = [pid for pid, parent in serving.items() if parent not in serving]
    assert len(masters) == 1, serving
    return masters[0], sorted(pid for pid, parent in serving.items() if parent == masters[0])


@contextmanager
def replaying_elsewhere(spool_directory: Path):
    """Another process holds the spool's replay lock: this one's replays claim nothing meanwhile."""
    spool_directory.mkdir(parents=True, exist_ok=True)
    with open(spool_directory / ".replay.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def spooled(spool_dir: Path) -> list[Path]:
    return [path for path in spool_dir.glob("*") if path.suffix in (".jsonl", ".replaying")] if spool_dir.is_dir() else []


def outage_environment(database: Outage, spool_dir: Path) -> dict[str, str]:
    return {"DATABASE_URL": database.url, "DATABASE_TIMEOUT_SECONDS": "1", "SPOOL_DIR": str(spool_dir)}


@contextmanager
def service_with_outage(app, database_url: str, tmp_path: Path):
    """gunicorn on a database the test can take away (`Outage`), waiting for it at most a second
    and spooling to `tmp_path/spool`; yields the base URL, the outage and the spool directory."""
    database = Outage(database_url)
    spool_dir = tmp_path / "spool"
    try:
        with gunicorn_process(app, tmp_path, **outage_environment(database, spool_dir)) as (base_url, _):
            yield base_url, database, spool_dir
    finally:
        database.close()


@pytest.fixture
def outage(app, database_url):
    # `app` first: it leaves the database empty for this test.
    outage = Outage(database_url)
    yield outage
    outage.close()


@pytest.fixture
def fragile_settings(outage, migrated, tmp_path):
    class ShortWaits(migrated):
        SQLALCHEMY_DATABASE_URI = outage.url
        DATABASE_TIMEOUT_SECONDS = 0.3
        SPOOL_DIR = str(tmp_path / "spool")
        METRICS_TOKEN = "spool-metrics"

    return ShortWaits


@pytest.fixture
def fragile_app(fragile_settings, app_factory):
    return app_factory(fragile_settings)


@pytest.fixture
def fragile_provider(fragile_app):
    return Provider(fragile_app.test_client(), fragile_app.config["TWILIO_AUTH_TOKEN"])


def counts(app, call_sid: str) -> tuple[int, int]:
    """The call's records and its journal's events in the database."""
    with app.app_context():
        calls = db.session.scalar(select(func.count()).select_from(Call).where(Call.call_sid == call_sid))
        events = db.session.scalar(select(func.count()).select_from(CallEvent).where(CallEvent.call_sid == call_sid))
    return calls, events
