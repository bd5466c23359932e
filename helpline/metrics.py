"""`GET /metrics`: Prometheus metrics of this process, behind a bearer token (METRICS_TOKEN).

Measured as they happen: each webhook's latency (a histogram by webhook), responses by status
class (5xx among them), and Socket.IO events emitted by name (`helpline/live.py` counts them).
Read from the database at scrape time: callers waiting, the longest wait, danger-now callers
waiting, counselors by presence, open dashboard sockets; from the local disk: webhooks spooled
while the database did not answer. When the database does not answer a scrape still answers 200,
with `helpline_database_up 0` and without the database's figures, quickly (the engine's
DATABASE_TIMEOUT_SECONDS bounds the wait): a scrape every few seconds must not add a storm of
errors to an outage.

Each gunicorn process has one worker, so each process is one scrape target with its own counters
(no multiprocess mode); the database's figures are the same from every process.
"""

import hmac
import logging
import time

from flask import Blueprint, Flask, Response, abort, current_app, has_app_context, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from helpline import clock
from helpline.call_queue import WAITING
from helpline.db import db
from helpline.models import PRESENCE_STATES, Call, SocketConnection, User

log = logging.getLogger(__name__)

bp = Blueprint("metrics", __name__)

registry = CollectorRegistry(auto_describe=True)

# The provider gives up on a webhook after 15 s; the interesting part is well below 100 ms.
WEBHOOK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15)

webhook_seconds = Histogram(
    "helpline_webhook_seconds", "Time to answer a provider webhook, by webhook.", ["webhook"],
    buckets=WEBHOOK_BUCKETS, registry=registry,
)
responses = Counter(
    "helpline_http_responses", "HTTP responses by status class (1xx … 5xx).", ["status_class"], registry=registry,
)
pushes = Counter("helpline_pushes", "Socket.IO events emitted by this process, by event.", ["event"], registry=registry)

WEBHOOK_PREFIX = "/twilio/"


class DatabaseFigures:
    """The queue's and the counselors' figures, read when Prometheus scrapes."""

    def describe(self):
        return []

    def collect(self):
        if not has_app_context():
            return
        up = GaugeMetricFamily("helpline_database_up", "1 when the database answered this scrape, else 0.")
        spooled = GaugeMetricFamily(
            "helpline_spooled_webhooks", "Webhooks kept on this host's disk while the database did not answer."
        )
        spool = current_app.extensions["helpline.spool"]
        spooled.add_metric([], spool.backlog().webhooks)
        unrecordable = GaugeMetricFamily(
            "helpline_unrecordable_webhooks",
            "Spooled webhooks the database refused for their values, set aside on this host's disk for a person to look at.",
        )
        unrecordable.add_metric([], spool.set_aside_count())
        try:
            figures = list(database_figures())
        except SQLAlchemyError as error:
            db.session.rollback()
            log.warning("metrics: database unavailable (%s)", type(error).__name__)
            figures = []
        up.add_metric([], 1 if figures else 0)
        yield up
        yield spooled
        yield unrecordable
        yield from figures


def database_figures():
    now = clock.now()
    waiting, oldest, danger_now = db.session.execute(
        select(func.count(), func.min(Call.enqueued_at), func.count().filter(Call.emergency.is_(True))).where(*WAITING)
    ).one()
    queue = GaugeMetricFamily("helpline_queue_callers", "Callers waiting in the queue.")
    queue.add_metric([], waiting)
    longest = GaugeMetricFamily("helpline_queue_longest_wait_seconds", "How long the longest-waiting caller has waited.")
    longest.add_metric([], max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
    danger = GaugeMetricFamily("helpline_queue_danger_now_callers", "Callers in danger now (key 9) waiting.")
    danger.add_metric([], danger_now)
    counselors = GaugeMetricFamily("helpline_counselors", "Active counselors by presence.", labels=["state"])
    by_state = dict(
        db.session.execute(
            select(User.presence, func.count()).where(User.role == "counselor", User.active.is_(True)).group_by(User.presence)
        ).all()
    )
    for state in PRESENCE_STATES:
        counselors.add_metric([state], by_state.get(state, 0))
    sockets = GaugeMetricFamily("helpline_dashboard_sockets", "Open Socket.IO connections, in every process.")
    sockets.add_metric([], db.session.scalar(select(func.count()).select_from(SocketConnection)) or 0)
    db.session.rollback()
    return queue, longest, danger, counselors, sockets


registry.register(DatabaseFigures())


@bp.get("/metrics")
def metrics():
    token = current_app.config["METRICS_TOKEN"]
    if not token:
        abort(404)
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        return Response("a bearer token is required\n", 401, {"WWW-Authenticate": 'Bearer realm="metrics"', "Content-Type": "text/plain; charset=utf-8"})
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        abort(403, "wrong token")
    return Response(generate_latest(registry), 200, {"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})


class MeasuredApp:
    """WSGI middleware: the whole of each request as the server sees it, including what runs
    after the view (the wallboard push at teardown), so webhook latency is what the provider waits."""

    def __init__(self, wsgi_app, webhooks: set[str]):
        self.wsgi_app = wsgi_app
        self.webhooks = webhooks

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        webhook = path[len(WEBHOOK_PREFIX):] if path.startswith(WEBHOOK_PREFIX) else None
        started = time.perf_counter()

        def counting_start_response(status, headers, exc_info=None):
            responses.labels(f"{status[:1]}xx").inc()
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, counting_start_response)
        finally:
            if webhook is not None:
                webhook_seconds.labels(webhook if webhook in self.webhooks else "other").observe(time.perf_counter() - started)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    webhooks = {
        rule.rule[len(WEBHOOK_PREFIX):] for rule in app.url_map.iter_rules() if rule.rule.startswith(WEBHOOK_PREFIX)
    }
    app.wsgi_app = MeasuredApp(app.wsgi_app, webhooks)
