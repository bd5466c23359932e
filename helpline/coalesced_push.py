"""Pushes made by one thread at a time in a process, changes that come meanwhile folded into
the next: the queue's and the wallboard's (`live.pushes`)."""

import logging
import threading
import time
from collections.abc import Callable

from helpline.background import BackgroundWork
from helpline.db import db

log = logging.getLogger(__name__)


class CoalescedPush:
    """A push (a snapshot built from the database, then emitted), made for one app by a thread
    of its own, so the request that asked for it answers without waiting for it. A change after
    a quiet spell is pushed at once; changes that come while a push is being made, or within
    `spacing` seconds of the last one starting, are folded into the next, made with everything
    committed by then. A burst of changes costs a snapshot per `spacing` instead of one per
    request. The thread is the app's (`helpline.background`): it ends when the app stops."""

    def __init__(self, send: Callable[[], None], spacing: float, work: BackgroundWork, name: str):
        self.send = send
        self.spacing = spacing
        self.work = work
        self.name = name
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._idle = threading.Condition(self._lock)
        self._due = False
        self._running = False
        self._thread_alive = False
        self._next_start = 0.0
        work.on_stop(self._wake_for_stop)

    def request(self) -> None:
        with self._lock:
            self._due = True
            if self._thread_alive:
                self._wake.notify()
                return
            self._thread_alive = self.work.start(self.name, self._push_when_due)

    def settle(self, timeout: float = 5.0) -> bool:
        """Wait until no push is being made or due (a process stopping, or a test reading what
        was pushed); False if one still is after `timeout` seconds."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._running and (not self._due or not self._thread_alive), timeout)

    def _wake_for_stop(self) -> None:
        with self._lock:
            self._wake.notify_all()

    def _push_when_due(self) -> None:
        stopping = self.work.stopping
        try:
            while True:
                with self._lock:
                    while not self._due and not stopping.is_set():
                        self._wake.wait()
                    if stopping.is_set():
                        return
                    wait = self._next_start - time.monotonic()
                if wait > 0 and stopping.wait(wait):
                    return
                with self._lock:
                    self._due, self._running = False, True
                    self._next_start = time.monotonic() + self.spacing
                try:
                    with self.work.app.app_context():
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
        finally:
            with self._lock:
                self._thread_alive = False
                self._idle.notify_all()
