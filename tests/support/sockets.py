"""Dashboards' sockets, with Flask-SocketIO's test client."""

from helpline import live
from helpline.live import socketio


def connect(app, client):
    """A socket with the session of `client` (logged in or not)."""
    return socketio.test_client(app, flask_test_client=client)


def received(socket) -> list[dict]:
    """What a test client's socket got, once the pushes (made after the requests answered,
    in the background) are done."""
    assert live.settle_pushes(socket.app)
    return socket.get_received()


def events(socket, name: str) -> list:
    """The bodies of the events of one name the socket got."""
    return [event["args"][0] for event in received(socket) if event["name"] == name]
