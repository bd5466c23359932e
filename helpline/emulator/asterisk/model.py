"""What the emulated Asterisk holds: channels, bridges, playbacks and the Stasis applications
connected over WebSocket, and the events each change sends them.

As in Asterisk: a channel enters an application (`StasisStart`) only while a WebSocket is
connected for it, otherwise `Stasis()` fails and the dialplan's fallback runs; events are
delivered at most once, to the socket connected at the time (nothing is queued while none
is); a second socket for the same application replaces the first (`ApplicationReplaced`).
"""

import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

ASTERISK_ID = "02:42:ac:11:00:02"
# Q.850 causes Asterisk reports.
NORMAL_CLEARING, NO_ANSWER, SUBSCRIBER_ABSENT = 16, 19, 20
CAUSE_TEXTS = {0: "Unknown", NORMAL_CLEARING: "Normal Clearing", NO_ANSWER: "No user responding", SUBSCRIBER_ABSENT: "Subscriber absent"}


def timestamp() -> str:
    """ISO 8601 with milliseconds and a numeric zone without a colon, as Asterisk writes them."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}" + now.strftime("%z")


class AriError(Exception):
    """An answer other than success: the status and Asterisk's message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class Channel:
    id: str
    name: str
    state: str
    caller_number: str
    exten: str
    app: str | None = None  # the Stasis application it is in, if any
    args: list[str] = field(default_factory=list)
    moh: bool = False
    bridge: str | None = None
    # An originated channel reports to the application that originated it before it enters it.
    originated_by: str | None = None
    created: str = field(default_factory=timestamp)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "caller": {"name": "", "number": self.caller_number},
            "connected": {"name": "", "number": ""},
            "accountcode": "",
            "dialplan": {"context": "helpline-in", "exten": self.exten, "priority": 2, "app_name": "Stasis", "app_data": ""},
            "creationtime": self.created,
            "language": "en",
        }


@dataclass
class Bridge:
    id: str
    bridge_type: str
    app: str
    channels: list[str] = field(default_factory=list)
    created: str = field(default_factory=timestamp)

    def as_json(self) -> dict:
        return {
            "id": self.id, "technology": "simple_bridge" if self.bridge_type == "mixing" else "holding_bridge",
            "bridge_type": self.bridge_type, "bridge_class": "stasis", "creator": "Stasis", "name": "",
            "channels": list(self.channels), "video_mode": "none", "creationtime": self.created,
        }  # fmt: skip


@dataclass
class Playback:
    id: str
    media: list[str]
    target: str
    state: str = "queued"

    def as_json(self) -> dict:
        return {"id": self.id, "media_uri": self.media[0], "target_uri": self.target, "language": "en", "state": self.state}


@dataclass
class Phone:
    """A counselor's registered endpoint: whether it answers when rung, and after how long. An
    endpoint with no phone registered is unavailable (CHANUNAVAIL)."""

    answers: bool = True
    after_seconds: float = 0.05


class Asterisk:
    """The emulated server's state. Every change happens under one lock; events go to the
    application's socket in the order the changes happened."""

    def __init__(self, *, playback_seconds: float = 0.05):
        self.lock = threading.RLock()
        self.channels: dict[str, Channel] = {}
        self.bridges: dict[str, Bridge] = {}
        self.playbacks: dict[str, Playback] = {}
        self.sockets: dict[str, Callable[[str], None]] = {}  # app -> send(text)
        self.phones: dict[str, Phone] = {}
        self.playback_seconds = playback_seconds
        self._numbers = itertools.count(1)
        self._timers: list[threading.Timer] = []

    # Applications and events.

    def connect(self, app: str, send: Callable[[str], None]) -> None:
        with self.lock:
            replaced = self.sockets.get(app)
            self.sockets[app] = send
        if replaced is not None:
            deliver(replaced, {"type": "ApplicationReplaced", "application": app, "timestamp": timestamp()})

    def disconnect(self, app: str, send: Callable[[str], None]) -> None:
        with self.lock:
            if self.sockets.get(app) is send:
                del self.sockets[app]

    def active(self, app: str) -> bool:
        return app in self.sockets

    def emit(self, app: str | None, event_type: str, **fields) -> None:
        """An event to the application's socket, if one is connected (else it is lost)."""
        with self.lock:
            send = self.sockets.get(app) if app else None
            if send is not None:
                deliver(send, {"type": event_type, "application": app, "timestamp": timestamp(), "asterisk_id": ASTERISK_ID, **fields})

    def later(self, seconds: float, action: Callable[[], None]) -> None:
        timer = threading.Timer(seconds, action)
        timer.daemon = True
        with self.lock:
            # Only those still to fire are kept (for `stop`): a long demo starts thousands.
            self._timers = [kept for kept in self._timers if kept.is_alive()]
            self._timers.append(timer)
        timer.start()

    def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()

    # Lookups with Asterisk's errors.

    def channel(self, channel_id: str) -> Channel:
        channel = self.channels.get(channel_id)
        if channel is None:
            raise AriError(404, "Channel not found")
        return channel

    def in_stasis(self, channel_id: str) -> Channel:
        channel = self.channel(channel_id)
        if channel.app is None:
            raise AriError(409, "Channel not in Stasis application")
        return channel

    def bridge(self, bridge_id: str) -> Bridge:
        bridge = self.bridges.get(bridge_id)
        if bridge is None:
            raise AriError(404, "Bridge not found")
        return bridge

    def new_id(self) -> str:
        return f"{time.time():.0f}.{next(self._numbers)}"


def deliver(send: Callable[[str], None], event: dict) -> None:
    try:
        send(json.dumps(event))
    except Exception:
        # A socket closing under us: the event is lost, as Asterisk's would be.
        pass


def new_uuid() -> str:
    return str(uuid.uuid4())
