"""`GET /metrics`: Prometheus metrics behind a bearer token."""

from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from helpline import clock, live
from helpline.db import db
from helpline.metrics import registry
from helpline.models import Call, User
from tests.support.calls import queue_caller
from tests.support.provider import Provider, new_call_sid

TOKEN = "metrics-test-token-1234"


@pytest.fixture
def metrics_app(app_factory, migrated, app):
    """The app with METRICS_TOKEN set (the `app` fixture empties the tables first)."""

    class Settings(migrated):
        METRICS_TOKEN = TOKEN

    return app_factory(Settings)


@pytest.fixture
def metrics_client(metrics_app):
    return metrics_app.test_client()


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and response.content_type.startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def test_without_a_token_setting_there_is_no_endpoint(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer anything"}).status_code == 404


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Basic bWV0cmljczp4"}, 401),
        ({"Authorization": "Bearer"}, 401),
        ({"Authorization": "Bearer wrong-token"}, 403),
        ({"Authorization": f"Bearer {TOKEN}x"}, 403),
        ({"Authorization": f"Bearer {TOKEN}"}, 200),
        ({"Authorization": f"bearer {TOKEN}"}, 200),
    ],
)
def test_the_token_is_required(metrics_client, headers, status):
    response = metrics_client.get("/metrics", headers=headers)
    assert response.status_code == status
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    if status != 200:
        assert b"helpline_" not in response.data


def test_queue_figures_are_read_from_the_database(metrics_app, metrics_client, auth, monkeypatch):
    provider = Provider(metrics_client, metrics_app.config["TWILIO_AUTH_TOKEN"])
    now = clock.now()
    routine = queue_caller(provider, "1")
    queue_caller(provider, "9")
    with metrics_app.app_context():
        db.session.execute(update(Call).where(Call.call_sid == routine).values(enqueued_at=now - timedelta(seconds=95)))
        db.session.commit()
    auth.create("counselor1")
    auth.create("counselor2")
    with metrics_app.app_context():
        db.session.execute(update(User).where(User.username == "counselor2").values(presence="available"))
        db.session.commit()
    monkeypatch.setattr(clock, "now", lambda: now)

    figures = scrape(metrics_client)

    assert figures[("helpline_database_up", ())] == 1
    assert figures[("helpline_queue_callers", ())] == 2
    assert figures[("helpline_queue_danger_now_callers", ())] == 1
    assert figures[("helpline_queue_longest_wait_seconds", ())] == pytest.approx(95, abs=1)
    assert figures[("helpline_counselors", (("state", "available"),))] == 1
    assert figures[("helpline_counselors", (("state", "offline"),))] == 1
    assert figures[("helpline_dashboard_sockets", ())] == 0


def test_webhooks_responses_and_pushes_are_counted(metrics_app, metrics_client):
    provider = Provider(metrics_client, metrics_app.config["TWILIO_AUTH_TOKEN"])
    before = scrape(metrics_client)
    queue_caller(provider, "2")
    provider.post("/twilio/status", {"CallSid": "not-a-call-sid"})
    metrics_client.get("/no/such/page")
    # The queue is pushed just after the webhook answers.
    assert live.pushes(metrics_app).queue.settle()
    after = scrape(metrics_client)

    def grew(name, labels=()):
        return after.get((name, labels), 0) - before.get((name, labels), 0)

    assert grew("helpline_webhook_seconds_count", (("webhook", "menu"),)) == 1
    assert grew("helpline_webhook_seconds_count", (("webhook", "status"),)) == 1
    assert after[("helpline_webhook_seconds_sum", (("webhook", "menu"),))] > 0
    # The two webhooks, the 404 and the first scrape.
    assert grew("helpline_http_responses_total", (("status_class", "2xx"),)) == 2
    assert grew("helpline_http_responses_total", (("status_class", "4xx"),)) == 2
    assert grew("helpline_pushes_total", (("event", "queue"),)) >= 1


def test_server_errors_are_counted(metrics_app, metrics_client):
    @metrics_app.get("/metrics-test-failure")
    def failing():
        raise RuntimeError("boom")

    metrics_app.testing = False  # an unhandled error becomes a 500, as in production
    before = scrape(metrics_client).get(("helpline_http_responses_total", (("status_class", "5xx"),)), 0)
    assert metrics_client.get("/metrics-test-failure").status_code == 500
    after = scrape(metrics_client)[("helpline_http_responses_total", (("status_class", "5xx"),))]
    assert after - before == 1


def test_a_scrape_while_the_database_is_down_still_answers(app_factory, migrated, app, monkeypatch):
    class Unreachable(migrated):
        METRICS_TOKEN = TOKEN
        # Nothing listens on port 9 of loopback: the connection is refused at once.
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://postgres@127.0.0.1:9/helpline"

    client = app_factory(Unreachable).test_client()
    for _ in range(3):
        figures = scrape(client)
        assert figures[("helpline_database_up", ())] == 0
        assert ("helpline_queue_callers", ()) not in figures
        assert ("helpline_spooled_webhooks", ()) in figures and ("helpline_unrecordable_webhooks", ()) in figures


def test_pushes_are_counted_by_event(app):
    def alerts() -> float:
        return registry.get_sample_value("helpline_pushes_total", {"event": "alert"}) or 0

    before = alerts()
    with app.app_context():
        live.push_alert("risk", new_call_sid(), "a test alert")
    assert alerts() - before == 1
