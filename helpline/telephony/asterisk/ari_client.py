"""A small client of ARI: its REST resources over `requests` with HTTP Basic auth, and its events
WebSocket over `simple-websocket`, the library the service already runs Socket.IO on.

ARI needs about fifteen REST calls, each a path and a few parameters, and one events socket
read on a thread of its own; the maintained Python ARI libraries are asyncio or trio clients,
which the service's threads would have to bridge into, for no gain over these few lines.
"""

import json
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
from simple_websocket import Client, ConnectionClosed

# Asterisk answers within milliseconds on the same network; a request that takes longer is
# failing, and the caller it is about must not wait behind it.
REQUEST_SECONDS = 5.0


class AriRefused(Exception):
    """ARI answered with an error: its status and message."""

    def __init__(self, status: int, message: str):
        super().__init__(f"{status} {message}")
        self.status, self.message = status, message

    @property
    def gone(self) -> bool:
        """The channel (or bridge, or playback) is no longer there, or no longer the
        application's: the usual race with a hangup, not a fault."""
        return self.status in (404, 409)


@dataclass(frozen=True)
class AriSettings:
    url: str  # ASTERISK_ARI_URL: http(s)://host:8088/ari (with http.conf's prefix, if it has one)
    username: str
    password: str
    app: str


class AriClient:
    def __init__(self, settings: AriSettings, *, session: requests.Session | None = None):
        self.settings = settings
        self.session = session or requests.Session()
        self.session.auth = (settings.username, settings.password)

    def request(self, method: str, path: str, **params) -> dict | list | None:
        """`path` under the ARI URL; parameters go in the query string (lists repeated). The JSON
        answer, None for 204; AriRefused for an error."""
        url = f"{self.settings.url.rstrip('/')}/{path.strip('/')}"
        query = {name: value for name, value in params.items() if value is not None}
        response = self.session.request(method, url, params=query, timeout=REQUEST_SECONDS)
        if response.status_code >= 400:
            try:
                message = response.json().get("message", response.reason)
            except ValueError:
                message = response.reason
            raise AriRefused(response.status_code, message)
        return response.json() if response.content else None

    def get(self, path: str, **params):
        return self.request("GET", path, **params)

    def post(self, path: str, **params):
        return self.request("POST", path, **params)

    def delete(self, path: str, **params):
        return self.request("DELETE", path, **params)

    def events_url(self) -> str:
        """The events WebSocket, under the same host as the REST resources (`/ari/events`)."""
        parts = urlsplit(self.settings.url.rstrip("/"))
        scheme = "wss" if parts.scheme == "https" else "ws"
        query = urlencode({"app": self.settings.app, "api_key": f"{self.settings.username}:{self.settings.password}"})
        return urlunsplit((scheme, parts.netloc, f"{parts.path}/events", query, ""))


class EventStream:
    """The application's events WebSocket. Asterisk keeps no events for an application that is
    not connected and replays none: whoever reads this reconnects and reconciles."""

    def __init__(self, client: AriClient, *, ping_seconds: float | None = 20.0):
        self.socket = Client.connect(client.events_url(), ping_interval=ping_seconds)

    def next(self, timeout: float | None = None) -> dict | None:
        """The next event, or None after `timeout` seconds; ConnectionClosed when it drops."""
        text = self.socket.receive(timeout=timeout)
        return None if text is None else json.loads(text)

    @property
    def connected(self) -> bool:
        return self.socket.connected

    def close(self) -> None:
        try:
            self.socket.close()
        except ConnectionClosed:
            pass
