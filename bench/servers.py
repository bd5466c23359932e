"""The live benchmarks' servers: a PostgreSQL database of their own, its users, and gunicorn
processes (the service, or a bare app) started with the production settings and stopped again.

Every process runs `config/gunicorn.conf.py`, the production settings, on a loopback port; the
service gets `HELPLINE_ENV=production` and its secrets here. The database
(`helpline_bench_live`) is created through the server at the admin URL and dropped afterwards.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy.engine import make_url

import config

BENCH_DATABASE = "helpline_bench_live"
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/1"
CHANNEL = "helpline-bench"

SECRET_KEY = "bench-secret-key"
AUTH_TOKEN = "bench-auth-token"
ACCOUNT_SID = "AC" + "b" * 32
CALLER_HASH_KEY = "bench-caller-hash-key"
CALLER_ENCRYPTION_KEY = "YmVuY2gta2V5LWJlbmNoLWtleS1iZW5jaC1rZXktMTI="

SERVICE = "wsgi:app"
BARE_TWIML = "bench.bare_twiml:app"
DURABLE_TWIML = "bench.durable_twiml:create_app()"
BARE_SOCKETIO = "bench.bare_socketio:app"

# Where gunicorn runs the service from: this checkout, or another one (`--service-root`) to
# measure a change against what came before it with the same load and the same machine. The
# references (`bench/bare_twiml.py`, `bench/durable_twiml.py`) run from this checkout.
SERVICE_ROOT = config.ROOT


def psycopg_url(sqlalchemy_url: str) -> str:
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


def database_url(admin_url: str) -> str:
    return make_url(admin_url).set(database=BENCH_DATABASE).render_as_string(hide_password=False)


def server_version(admin_url: str) -> str:
    with psycopg.connect(psycopg_url(admin_url), autocommit=True) as connection:
        return connection.execute("SHOW server_version").fetchone()[0]


def drop_database(admin_url: str) -> None:
    with psycopg.connect(psycopg_url(admin_url), autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")


def bench_config(url: str) -> type:
    class Bench(config.ProductionConfig):
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = globals()["SECRET_KEY"]
        TWILIO_AUTH_TOKEN = AUTH_TOKEN
        TWILIO_ACCOUNT_SID = ACCOUNT_SID
        CALLER_HASH_KEY = globals()["CALLER_HASH_KEY"]
        CALLER_ENCRYPTION_KEY = globals()["CALLER_ENCRYPTION_KEY"]
        REDIS_URL = None
        SPOOL_DIR = tempfile.mkdtemp(prefix="helpline-bench-spool-")

    return Bench


def in_process_app(url: str):
    """The service in this process, with the benchmarks' settings, reached through Flask's test
    client at http://localhost (the URL its webhooks are signed for)."""
    from helpline import create_app

    settings = bench_config(url)
    settings.PUBLIC_BASE_URL = "http://localhost"
    return create_app(settings)


@dataclass
class Staff:
    counselors: list[int] = field(default_factory=list)
    supervisors: list[int] = field(default_factory=list)
    # What each one's session cookie names them by (`User.get_id`).
    session_ids: dict[int, str] = field(default_factory=dict)


def create_database(admin_url: str, *, counselors: int, supervisors: int = 1) -> tuple[str, Staff]:
    """A fresh database with the migrations' schema and its staff; returns its URL and the users' ids."""
    from flask_migrate import upgrade

    from helpline import create_app
    from helpline.db import db
    from helpline.models import User

    drop_database(admin_url)
    with psycopg.connect(psycopg_url(admin_url), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    url = database_url(admin_url)
    app = create_app(bench_config(url))
    staff = Staff()
    with app.app_context():
        upgrade()
        # One password hash for everyone: hashing a thousand passwords would only slow the setup.
        template = User(username="template", role="counselor")
        template.set_password("bench password 1")
        people = [User(username=f"counselor{n:04d}", role="counselor", language="en", password_hash=template.password_hash) for n in range(counselors)]
        people += [User(username=f"supervisor{n:02d}", role="supervisor", language="en", password_hash=template.password_hash) for n in range(supervisors)]
        db.session.add_all(people)
        db.session.commit()
        for person in people:
            (staff.counselors if person.role == "counselor" else staff.supervisors).append(person.id)
            staff.session_ids[person.id] = person.get_id()
        db.session.remove()
        db.engine.dispose()
    return url, staff


def session_cookie(staff: Staff, user_id: int) -> str:
    """The `session` cookie Flask-Login writes when this user logs in, signed with the service's
    key: a thousand dashboards log in without a thousand password checks, and without the login
    rate limit that would (rightly) stop a thousand logins from one address."""
    app = Flask("bench")
    app.secret_key = SECRET_KEY
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    # With the times logging in records: the service ends a session without them
    # (helpline/session_lifetime.py; not imported, so that --service-root can name an older checkout).
    now = time.time()
    return "session=" + serializer.dumps({"_user_id": staff.session_ids[user_id], "_fresh": True, "logged_in_at": now, "seen_at": now})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service_environment(url: str, port: int, *, redis_url: str | None = None, **extra: str) -> dict[str, str]:
    environment = {
        **os.environ,
        "HELPLINE_ENV": "production",
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "SESSION_COOKIE_SECURE": "0",
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "CALLER_HASH_KEY": CALLER_HASH_KEY,
        "CALLER_ENCRYPTION_KEY": CALLER_ENCRYPTION_KEY,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "SPOOL_DIR": tempfile.mkdtemp(prefix="helpline-bench-spool-"),
        "SOCKETIO_CHANNEL": CHANNEL,
        "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port}",
        **extra,
    }
    environment.pop("REDIS_URL", None)
    if redis_url:
        environment["REDIS_URL"] = redis_url
    return environment


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    log_path: Path

    def cpu_seconds(self) -> float:
        """User and system CPU time of the worker processes (gunicorn's children)."""
        workers = {pid for tasks in Path(f"/proc/{self.process.pid}/task").glob("*/children") for pid in tasks.read_text().split()}
        return sum(cpu_seconds_of(Path(f"/proc/{pid}/stat").read_text())[1] for pid in workers)


def cpu_seconds_of(stat: str) -> tuple[str, float]:
    """A process's name and user and system CPU time, from the text of its /proc/PID/stat."""
    name, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat.rsplit(")", 1)[1].split()
    return name, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_healthy(base_url: str, failure: Callable[[], str | None] = lambda: None, seconds: float = 60) -> None:
    """Until `/healthz` answers 200; `failure` names why to stop waiting early (a process that exited)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if requests.get(base_url + "/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        if reason := failure():
            raise RuntimeError(reason)
        if time.monotonic() > deadline:
            raise RuntimeError(f"{base_url} did not come up")
        time.sleep(0.2)


def postgres_cpu_seconds() -> float:
    """User and system CPU time of the local PostgreSQL server's processes (its backends
    included): a benchmark's database is the only one in use while it runs."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, seconds = cpu_seconds_of(stat.read_text())
        except OSError:
            continue  # ended meanwhile
        if name.startswith("postgres"):
            total += seconds
    return total


@contextmanager
def gunicorn(app_module: str, environment: dict[str, str], log_dir: Path, root: Path | None = None) -> Iterator[Server]:
    """`gunicorn -c config/gunicorn.conf.py APP` with this environment, run from `root` (the
    service's checkout unless given); stopped on exit."""
    port = environment["GUNICORN_CMD_ARGS"].rsplit(":", 1)[1]
    base_url = f"http://127.0.0.1:{port}"
    log_path = log_dir / f"gunicorn-{port}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", app_module],
            cwd=root or SERVICE_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        def exited() -> str | None:
            return None if process.poll() is None else f"gunicorn exited:\n{log_path.read_text()[-3000:]}"

        wait_until_healthy(base_url, exited)
        yield Server(base_url, process, log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def redis_answers(url: str = REDIS_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def benchmark_parser(doc: str) -> argparse.ArgumentParser:
    """The options every live benchmark takes; each adds its own."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--postgres", default=ADMIN_URL, help=f"a server URL (used only to create and drop {BENCH_DATABASE})")
    parser.add_argument("--queue", type=int, default=20, help="callers waiting throughout")
    parser.add_argument(
        "--service-root", type=Path, default=SERVICE_ROOT, help="run the service from this checkout (to compare a change with what came before)"
    )
    parser.add_argument("--no-write", action="store_true", help="print the section instead of writing it")
    return parser
