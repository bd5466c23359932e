"""The app's background threads: started when first needed, stopped with the app.

Pushes to dashboards, the danger-now sweep and bringing the spool home run in threads of their
own so that no request waits for them. They belong to the app that started them (not to the
module that defines them): stopping the app (a worker process exiting, a test ending) stops
them and waits for them, so nothing of one app keeps running on behalf of another.
"""

import logging
import threading
from collections.abc import Callable

from flask import Flask

log = logging.getLogger(__name__)

EXTENSION = "helpline.background"


class BackgroundWork:
    """One app's background threads. `stopping` is set while they are being stopped: a loop
    waits on it (`stopping.wait(seconds)`) rather than sleeping, so it ends at once."""

    def __init__(self, app: Flask):
        self.app = app
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._threads: set[threading.Thread] = set()
        self._wakers: list[Callable[[], None]] = []
        self._on_serve: list[Callable[[], None]] = []

    def start(self, name: str, target: Callable[[], None]) -> bool:
        """Run `target` in a new thread named `name`; False (nothing started) while the app is
        stopping. Whoever starts a thread keeps it single: a thread that is ending may still be
        alive when its owner decides to start the next."""
        with self._lock:
            return self._start(name, target)

    def _start(self, name: str, target: Callable[[], None]) -> bool:
        if self.stopping.is_set():
            return False
        thread = threading.Thread(target=self._run, args=(target,), name=name, daemon=True)
        self._threads.add(thread)
        thread.start()
        return True

    def start_once(self, name: str, target: Callable[[], None]) -> bool:
        """`start`, unless a thread of that name is still running: for loops that run until the
        app stops (a thread deciding to end on its own needs its owner's lock, as `start` says)."""
        with self._lock:
            if any(thread.name == name for thread in self._threads):
                return True
            return self._start(name, target)

    def on_serve(self, begin: Callable[[], None]) -> None:
        """`begin` is called when a process starts serving the app (`serve`)."""
        self._on_serve.append(begin)

    def on_stop(self, wake: Callable[[], None]) -> None:
        """`wake` is called when stopping, for loops that wait on something else than `stopping`."""
        with self._lock:
            self._wakers.append(wake)

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop every thread and wait for them; True if all ended within `timeout` seconds.
        Afterwards the app may start them again (a test serving the app a second time)."""
        with self._lock:
            self.stopping.set()
            threads = list(self._threads)
            wakers = list(self._wakers)
        for wake in wakers:
            wake()
        for thread in threads:
            thread.join(timeout)
        stopped = not any(thread.is_alive() for thread in threads)
        with self._lock:
            if stopped:
                self._threads.clear()
                self.stopping.clear()
        if not stopped:
            log.error("background threads did not stop: %s", ", ".join(t.name for t in threads if t.is_alive()))
        return stopped

    def _run(self, target: Callable[[], None]) -> None:
        try:
            target()
        except Exception:
            log.exception("background thread %s failed", threading.current_thread().name)
        finally:
            with self._lock:
                self._threads.discard(threading.current_thread())


def init_app(app: Flask) -> BackgroundWork:
    work = BackgroundWork(app)
    app.extensions[EXTENSION] = work
    return work


def of(app: Flask) -> BackgroundWork:
    return app.extensions[EXTENSION]


def serve(app: Flask) -> None:
    """A process starts serving the app (gunicorn's worker, the demo): work that waits for no
    request begins (the spool left by a process that stopped during an outage is brought home)."""
    for begin in of(app)._on_serve:
        begin()


def stop(app: Flask, timeout: float = 10.0) -> bool:
    """Stop the app's background threads (a worker process exiting, a test ending)."""
    return of(app).stop(timeout)
