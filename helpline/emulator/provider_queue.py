"""The provider-side queue: the emulator's stand-in for a named Twilio queue.

Shared by all call threads; `ProviderQueues` holds them by name and by QueueSid. Membership
is FIFO and bounded; a member leaves exactly once, by one of `bridge` (a counselor took them),
`redirect` (a REST update sent them to new TwiML), `hang_up` or `leave`, whichever comes
first. Any thread may end a membership: the caller's own (patience over, `<Leave>`) or the
REST server's (a counselor taking the caller).
"""

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone


@dataclass(eq=False)
class Member:
    call_sid: str
    # Emulated seconds in the queue so far, as the caller's own clock counts them.
    waited: Callable[[], float] = lambda: 0.0
    joined_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    # Set once the member is out of the queue; `result` says how.
    exited: threading.Event = field(default_factory=threading.Event)
    result: str | None = None
    # Where a REST redirect sent the caller; set before `exited`.
    redirect_url: str | None = None


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

    def join(self, call_sid: str, waited: Callable[[], float] | None = None) -> Member | None:
        """Enter at the back; None when the queue is full (or closed)."""
        with self._lock:
            if self._closed or len(self._members) >= self.max_size:
                return None
            if call_sid in self._members:
                raise ValueError(f"{call_sid} is already in the queue")
            member = Member(call_sid, waited) if waited is not None else Member(call_sid)
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

    def redirect(self, call_sid: str | None, url: str) -> tuple[Member, int] | None:
        """Send this member (None: the front one) to `url`; the member and the place they left, or None."""
        with self._lock:
            if call_sid is None:
                call_sid = next(iter(self._members), None)
            place = next((place for place, sid in enumerate(self._members, start=1) if sid == call_sid), None)
            if place is None:
                return None
            member = self._members.pop(call_sid)
            member.result, member.redirect_url = "redirected", url
        member.exited.set()
        return member, place

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
    """The account's named queues, created on first `<Enqueue>` as the provider does; a
    queue's SID (`QU` and 32 hex digits) follows from the salt and its name."""

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

    def by_sid(self, sid: str) -> ProviderQueue | None:
        with self._lock:
            return next((queue for queue in self._queues.values() if queue.sid == sid), None)

    def holding(self, call_sid: str) -> ProviderQueue | None:
        """The queue this call waits in, if any."""
        with self._lock:
            queues = list(self._queues.values())
        return next((queue for queue in queues if queue.position(call_sid) is not None), None)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            queues = list(self._queues.values())
        for queue in queues:
            queue.close()
