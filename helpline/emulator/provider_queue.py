"""The provider-side queue: the emulator's stand-in for a named Twilio queue.

Shared by all call threads; `ProviderQueues` holds them by name. Membership is FIFO and bounded; a member leaves exactly once,
by one of `bridge` (a counselor took them), `hang_up` or `leave`, whichever comes first.
`bridge` may be called from any thread: today the caller's own thread calls it when its
drawn wait is over, a REST dequeue (a counselor taking a caller) can call it later.
"""

import hashlib
import threading
from dataclasses import dataclass, field


@dataclass(eq=False)
class Member:
    call_sid: str
    # Set once the member is out of the queue; `result` says how.
    exited: threading.Event = field(default_factory=threading.Event)
    result: str | None = None


class ProviderQueue:
    def __init__(self, name: str, sid: str, max_size: int):
        self.name = name
        self.sid = sid
        self.max_size = max_size
        self._lock = threading.Lock()
        self._members: dict[str, Member] = {}  # insertion order is queue order
        self._waits_total = 0.0
        self._waits_count = 0
        self._closed = False

    def join(self, call_sid: str) -> Member | None:
        """Enter at the back; None when the queue is full (or closed)."""
        with self._lock:
            if self._closed or len(self._members) >= self.max_size:
                return None
            if call_sid in self._members:
                raise ValueError(f"{call_sid} is already in the queue")
            member = Member(call_sid)
            self._members[call_sid] = member
            return member

    def position(self, call_sid: str) -> int | None:
        """1-based place from the front, None when not queued."""
        with self._lock:
            for place, sid in enumerate(self._members, start=1):
                if sid == call_sid:
                    return place
            return None

    def size(self) -> int:
        with self._lock:
            return len(self._members)

    def members(self) -> list[str]:
        """CallSids from the front to the back."""
        with self._lock:
            return list(self._members)

    def front(self) -> str | None:
        with self._lock:
            return next(iter(self._members), None)

    def bridge(self, call_sid: str) -> bool:
        """Take this member out as bridged to a counselor; False if they were no longer queued."""
        return self._exit(call_sid, "bridged")

    def bridge_front(self) -> str | None:
        """Bridge whoever is at the front (a `<Dial><Queue>`); their CallSid, or None when empty."""
        while (call_sid := self.front()) is not None:
            if self.bridge(call_sid):
                return call_sid
        return None

    def hang_up(self, call_sid: str) -> bool:
        return self._exit(call_sid, "hangup")

    def leave(self, call_sid: str, result: str = "leave") -> bool:
        return self._exit(call_sid, result)

    def _exit(self, call_sid: str, result: str) -> bool:
        with self._lock:
            member = self._members.pop(call_sid, None)
            if member is None:
                return False
            member.result = result
        member.exited.set()
        return True

    def record_wait(self, seconds: float) -> None:
        """A member's time in the queue, in emulated seconds, for `AvgQueueTime`."""
        with self._lock:
            self._waits_total += seconds
            self._waits_count += 1

    def average_wait(self) -> int:
        with self._lock:
            return round(self._waits_total / self._waits_count) if self._waits_count else 0

    def close(self) -> None:
        """Stop: refuse new members and wake everyone waiting, as hung up."""
        with self._lock:
            self._closed = True
            waiting = list(self._members)
        for call_sid in waiting:
            self.hang_up(call_sid)


class ProviderQueues:
    """The account's named queues, created on first `<Enqueue>` as the provider does."""

    def __init__(self, max_size: int, salt: str = ""):
        self.max_size = max_size
        self.salt = salt
        self._lock = threading.Lock()
        self._queues: dict[str, ProviderQueue] = {}
        self._closed = False

    def get(self, name: str) -> ProviderQueue:
        with self._lock:
            if name not in self._queues:
                sid = "QU" + hashlib.sha256(f"{self.salt}:{name}".encode()).hexdigest()[:32]
                self._queues[name] = ProviderQueue(name, sid, self.max_size)
                if self._closed:
                    self._queues[name].close()
            return self._queues[name]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            queues = list(self._queues.values())
        for queue in queues:
            queue.close()
