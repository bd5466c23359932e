"""Socket.IO's fan-out through Redis, kept from stalling a webhook and resynced after an outage.

What is published while Redis is away is lost; `ResyncingRedisManager` notices when this process
is in touch again and has every dashboard, in every process, sent fresh snapshots
(`live.resync_dashboards`).
"""

import logging
import threading
import time
from collections.abc import Callable

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from socketio import RedisManager

log = logging.getLogger(__name__)

# Fanning out through Redis. A webhook pushes right after its commit, so a stopped Redis, or one
# that accepts and never answers, may cost it about a second, never a stall (redis-py would
# otherwise retry with backoff, and wait for ever on a silent server).
REDIS_PUBLISH_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "retry": Retry(NoBackoff(), 0)}
# While Redis is away pushes are dropped at once (not each waiting out the timeouts), and it is
# asked this often whether it answers again.
REDIS_PROBE_SECONDS = 1.0
# While Redis is away the listener tries again at most this many seconds apart.
REDIS_RETRY_CAP_SECONDS = 4


class ResyncingRedisManager(RedisManager):
    """What was published while Redis was away is lost: whenever this process is back in touch
    (its listener subscribed again, or Redis answers again after a push failed), `resync` sends
    every dashboard, in every process, fresh snapshots."""

    def __init__(self, url: str, channel: str, resync: Callable[[], None]):
        super().__init__(url, channel=channel, redis_options=dict(REDIS_PUBLISH_OPTIONS))
        self.resync = resync
        self._away = False
        self._away_lock = threading.Lock()

    def _redis_connect(self):
        super()._redis_connect()
        # The listener's own connection: it waits between messages, so it has no read timeout.
        listener = redis.Redis.from_url(
            self.redis_url, socket_connect_timeout=0.5, socket_keepalive=True, retry=Retry(NoBackoff(), 0)
        )
        self.pubsub = listener.pubsub(ignore_subscribe_messages=True)

    def _publish(self, data):
        if self._away:
            return None
        sent = super()._publish(data)
        if sent is None:
            with self._away_lock:
                if self._away:
                    return None
                self._away = True
            self.server.start_background_task(self._wait_for_redis)
        return sent

    def _wait_for_redis(self) -> None:
        probe = redis.Redis.from_url(self.redis_url, **REDIS_PUBLISH_OPTIONS)
        while True:
            time.sleep(REDIS_PROBE_SECONDS)
            try:
                probe.ping()
                break
            except Exception:
                continue
        probe.close()
        # The next push opens a fresh connection.
        self.connected = False
        self._away = False
        self.resync()

    def _redis_listen_with_retries(self):
        retry_seconds, lost = 1, False
        while True:
            try:
                self._redis_connect()
                self.pubsub.subscribe(self.channel)
                if lost:
                    self.resync()
                retry_seconds, lost = 1, False
                yield from self.pubsub.listen()
            except Exception as error:
                log.error("Redis unavailable to the listener (%s); retrying in %d s", type(error).__name__, retry_seconds)
                lost = True
                time.sleep(retry_seconds)
                retry_seconds = min(retry_seconds * 2, REDIS_RETRY_CAP_SECONDS)
