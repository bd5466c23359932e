"""gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py wsgi:app`.

One worker process with many threads: Flask-SocketIO's threading mode keeps each
dashboard's websocket on a thread, and gunicorn's load balancing cannot keep a Socket.IO
client on one worker. Run more processes behind a proxy with `REDIS_URL` set instead.
`GUNICORN_CMD_ARGS` overrides any of these (for example `--bind`).
"""

import gc
import os
import sys

os.environ.setdefault("HELPLINE_ENV", "production")

from helpline import background  # noqa: E402 (after the profile is chosen)
from helpline.logs import gunicorn_logconfig  # noqa: E402

bind = os.environ.get("HELPLINE_BIND", "127.0.0.1:8000")
workers = 1
worker_class = "gthread"
# In threading mode an open dashboard holds a thread for as long as it is connected (and
# simple-websocket adds a reader thread of its own), so the pool is sized for the dashboards a
# centre keeps open plus room for webhooks and API calls: 1,200 serves 1,000 dashboards
# (`python -m bench.fanout`). Threads are started only as connections need them, and an idle
# one costs little memory. gthread also caps the connections it holds open (its default, 1,000,
# would refuse the 1,001st socket and keep-alives beyond threads), hence worker_connections.
threads = int(os.environ.get("HELPLINE_THREADS", "1200"))
worker_connections = threads + 200
# The provider waits at most 15 s for TwiML; a request still running long after is stuck.
timeout = 30
graceful_timeout = 20
keepalive = 5
# The app (and its database engine) is created in the worker, after the fork.
preload_app = False
# Errors and app logs to stderr, the access log to stdout: one JSON object a line (LOG_FORMAT=text
# for readable lines), each with its request id and never a caller's number (helpline/logs.py).
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logconfig_dict = gunicorn_logconfig(os.environ.get("LOG_FORMAT", "json"), loglevel)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    # Each webhook gives up the interpreter at every database round trip and then waits for it
    # back; at the default 5 ms switch interval a thread building a push or a page could keep it
    # that long each time, most of a webhook's 25 ms budget. 1 ms bounds that wait.
    sys.setswitchinterval(0.001)
    # What the app holds from start-up (the libraries, the models, the compiled statements) lives
    # as long as the worker: frozen, it is left out of the collector's full passes, which walked
    # it every time and held every request up meanwhile (docs/benchmarks.md).
    gc.collect()
    gc.freeze()
    # Work that waits for no request: webhooks left in the spool by a worker that stopped
    # during an outage are recorded as soon as the database answers.
    app = serving_app(worker)
    if app is not None:
        background.serve(app)


def worker_exit(server, worker):
    # The app's threads end with it: a push being made is finished, a replay stops between
    # batches (what it has not recorded stays in the spool for the next worker).
    app = serving_app(worker)
    if app is not None:
        background.stop(app, timeout=5)


def serving_app(worker):
    """The worker's app if it is the service (the benchmarks' reference endpoints, served with
    these same settings, have no background work); None too when it failed to load."""
    app = getattr(worker, "wsgi", None)
    return app if background.EXTENSION in getattr(app, "extensions", {}) else None
