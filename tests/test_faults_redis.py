"""Redis away: webhooks do not notice, and dashboards catch up once it is back.

Two gunicorn processes fan out through a private redis-server the test starts, stops and
starts again (the shared Redis is never touched); process A reaches it through a TCP proxy
that can turn into a black hole (accepts, never answers). A dashboard stays connected to
process B throughout, without reconnecting its socket.
"""

import shutil

import pytest

from tests.support.calls import queue_caller
from tests.support.outage import PrivateRedis, TcpProxy
from tests.support.provider import HttpProvider
from tests.support.requirements import needs
from tests.support.servers import gunicorn_process
from tests.support.sockets import Dashboard, listed

# Far more than a webhook takes, far less than the provider's 15 s: a stall fails the request.
WEBHOOK_TIMEOUT = 5
CATCH_UP_SECONDS = 20


pytestmark = needs(shutil.which("redis-server"), "needs redis-server (CI installs it)")


@pytest.fixture
def redis_server(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def test_webhooks_ignore_a_missing_redis_and_dashboards_catch_up_when_it_returns(app, auth, tmp_path, redis_server):
    auth.create()
    proxy = TcpProxy("127.0.0.1", redis_server.port)
    proxy.start()
    try:
        with (
            gunicorn_process(app, tmp_path, REDIS_URL=f"redis://127.0.0.1:{proxy.port}/0") as (first, _),
            gunicorn_process(app, tmp_path, REDIS_URL=redis_server.url) as (second, _),
        ):
            dashboard = Dashboard(second, "counselor1")
            # A caller pressing 1 must be queued within the timeout, whatever Redis does.
            webhooks = HttpProvider(first, app.config["TWILIO_AUTH_TOKEN"], timeout=WEBHOOK_TIMEOUT)
            try:
                dashboard.next_queue(lambda body: True)
                dashboard.next_queue(listed(queue_caller(webhooks)))

                # A black hole between process A and Redis: A's webhooks still answer at once.
                proxy.swallow()
                silenced = [queue_caller(webhooks) for _ in range(3)]
                proxy.forward()
                dashboard.next_queue(lambda body: all(listed(call_sid)(body) for call_sid in silenced), CATCH_UP_SECONDS)

                # Redis stopped: the same, and B's dashboard catches up once it is back.
                redis_server.stop()
                missed = [queue_caller(webhooks) for _ in range(3)]
                redis_server.start()
                dashboard.next_queue(lambda body: all(listed(call_sid)(body) for call_sid in missed), CATCH_UP_SECONDS)
                assert dashboard.client.connected
            finally:
                dashboard.close()
    finally:
        proxy.stop()
