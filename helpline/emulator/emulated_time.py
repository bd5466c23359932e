"""A call's emulated clock: waits are counted in emulated seconds and slept scaled."""

import threading
import time


class CallClock:
    def __init__(self, time_scale: float, stop: threading.Event):
        self.time_scale = time_scale
        self.stop = stop
        self.elapsed = 0.0

    def spend(self, seconds: float, interrupt: threading.Event | None = None) -> float:
        """Let `seconds` of emulated time pass; returns how many did before an interrupt or stop."""
        seconds = max(seconds, 0.0)
        event = interrupt or self.stop
        if self.time_scale == 0:
            spent = 0.0 if event.is_set() else seconds
        else:
            started = time.monotonic()
            if event.wait(seconds * self.time_scale):
                spent = min(seconds, (time.monotonic() - started) / self.time_scale)
            else:
                spent = seconds
        self.elapsed += spent
        return spent

    @property
    def stopped(self) -> bool:
        return self.stop.is_set()
