"""Socket.IO: every handler and every emit of the service lives here.

The server runs in threading mode with simple-websocket; with `REDIS_URL` set it fans out
through Redis so several processes serve one dashboard.

Events: none yet.
"""

from flask_socketio import SocketIO

socketio = SocketIO()


def init_app(app) -> None:
    socketio.init_app(
        app,
        async_mode="threading",
        message_queue=app.config["REDIS_URL"],
    )
