"""Pushes made by one thread at a time in a process, changes that come meanwhile folded into
the next: the queue's and the wallboard's (`live.queue_pushes`, `live.wallboard_pushes`)."""

import logging
import threading
import time
from collections.abc import Callable

from flask import current_app

from helpline.db import db

log = logging.getLogger(__name__)


class CoalescedPush:
    """A push (a snapshot built from the database, then emitted), made in this process by a
    thread of its own, so the request that asked for it answers without waiting for it. A
    change after a quiet spell is pushed at once; changes that come while a push is being made,
    or within `spacing` seconds of the last one starting, are folded into the next, made with
    everything committed by then. A burst of changes costs a snapshot per `spacing` instead of
    one per request."""

    def __init__(self, send: Callable[[], None], spacing: float):
        self.send = send
        self.spacing = spacing
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._idle = threading.Condition(self._lock)
        self._due = False
        self._running = False
        self._next_start = 0.0
        self._app = None
        self._thread: threading.Thread | None = None

    def request(self) -> None:
        with self._lock:
            self._due = True
            # The latest app asking: one per process in service, several in the tests.
            self._app = current_app._get_current_object()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._push_when_due, name="helpline-push", daemon=True)
                self._thread.start()
            else:
                self._wake.notify()

    def settle(self, timeout: float = 5.0) -> bool:
        """Wait until no push is being made or due (a process stopping, or a test reading what
        was pushed); False if one still is after `timeout` seconds."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._due and not self._running, timeout)

    def _push_when_due(self) -> None:
        while True:
            with self._lock:
                while not self._due:
                    self._wake.wait()
                wait = self._next_start - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            with self._lock:
                self._due, self._running = False, True
                self._next_start = time.monotonic() + self.spacing
                app = self._app
            try:
                with app.app_context():
                    try:
                        self.send()
                    except Exception as failure:
                        db.session.rollback()
                        log.error("pushing failed (%s)", type(failure).__name__)
            finally:
                with self._lock:
                    self._running = False
                    if not self._due:
                        self._idle.notify_all()
