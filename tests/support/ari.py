"""The ARI stand-in for the tests: a server on a free port, a client of it, and the
application's events as they arrive."""

import time

import pytest

from helpline.emulator.asterisk.server import AriServer
from helpline.telephony.asterisk.ari_client import AriClient, AriRefused, AriSettings, EventStream

ARI_USER, ARI_PASSWORD, ARI_APP = "helpline", "ari secret", "helpline"


@pytest.fixture
def ari_server():
    server = AriServer(ARI_USER, ARI_PASSWORD).start()
    yield server
    server.stop()


@pytest.fixture
def ari(ari_server):
    return AriClient(AriSettings(f"{ari_server.base_url}/ari", ARI_USER, ARI_PASSWORD, ARI_APP))


class Events:
    """The events one application socket receives."""

    def __init__(self, client: AriClient):
        self.stream = EventStream(client, ping_seconds=None)
        self.seen: list[dict] = []
        wait_until_registered(client)

    def wait_for(self, event_type: str, timeout: float = 5.0, **matching) -> dict:
        """The next event of this type (and with these top-level values), reading on."""
        for event in self.seen:
            if event["type"] == event_type and all(event.get(k) == v for k, v in matching.items()):
                self.seen.remove(event)
                return event
        while True:
            event = self.stream.next(timeout=timeout)
            if event is None:
                raise AssertionError(f"no {event_type} event within {timeout} s (saw {[e['type'] for e in self.seen]})")
            if event["type"] == event_type and all(event.get(k) == v for k, v in matching.items()):
                return event
            self.seen.append(event)

    def close(self) -> None:
        self.stream.close()


def wait_until_registered(client: AriClient, timeout: float = 5.0) -> None:
    """Until Asterisk lists the application (it registers it once the socket is set up)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.get(f"applications/{client.settings.app}")
            return
        except AriRefused:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


@pytest.fixture
def ari_events(ari):
    events = Events(ari)
    yield events
    events.close()
