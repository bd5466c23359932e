"""The emulated Asterisk's HTTP server: ARI's REST resources under /ari and the events
WebSocket at /ari/events, both behind ARI's authentication (HTTP Basic, or `api_key=user:pass`
in the query; 401 with `WWW-Authenticate` otherwise)."""

import base64
import binascii
import hmac
import json
import logging
import threading

from simple_websocket import ConnectionClosed, Server
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from helpline.emulator.asterisk import rest
from helpline.emulator.asterisk.model import AriError, Asterisk

log = logging.getLogger(__name__)

REALM = "Asterisk REST Interface"


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


class AriServer:
    """The stand-in on `host:port` (0: any free port); `base_url` is known as soon as it is made."""

    def __init__(self, username: str, password: str, *, host: str = "127.0.0.1", port: int = 0, asterisk: Asterisk | None = None):
        if not username or not password:
            raise ValueError("the ARI stand-in needs a user and a password to check requests against")
        self.username, self.password = username, password
        self.asterisk = asterisk or Asterisk()
        self._server = make_server(host, port, self.wsgi, threaded=True, request_handler=_QuietHandler)
        self.base_url = f"http://{host}:{self._server.server_port}"
        self._thread: threading.Thread | None = None

    def start(self) -> "AriServer":
        self._thread = threading.Thread(target=self._server.serve_forever, name="ari-stand-in", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.asterisk.stop()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    # Requests.

    def wsgi(self, environ, start_response):
        request = Request(environ)
        if not self.authenticated(request):
            response = error(401, "Authentication required")
            response.headers["WWW-Authenticate"] = f'Basic realm="{REALM}"'
            return response(environ, start_response)
        if request.path == "/ari/events":
            return self.events(request, environ, start_response)
        return self.rest_answer(request)(environ, start_response)

    def authenticated(self, request: Request) -> bool:
        given = None
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            try:
                given = base64.b64decode(header[6:], validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return False
        elif "api_key" in request.args:
            given = request.args["api_key"]
        return given is not None and hmac.compare_digest(given.encode(), f"{self.username}:{self.password}".encode())

    def rest_answer(self, request: Request) -> Response:
        try:
            endpoint, path = rest.ROUTES.bind("localhost").match(request.path, method=request.method)
        except MethodNotAllowed:
            return error(405, "Method not allowed")
        except NotFound:
            return error(404, "Resource not found")
        try:
            status, body = rest.handle(self.asterisk, endpoint, parameters(request), **path)
        except AriError as refused:
            return error(refused.status, refused.message)
        if body is None:
            return Response(status=status)
        response = Response(json.dumps(body), status=status, mimetype="application/json")
        if status == 201 and endpoint == "play":
            response.headers["Location"] = f"/playbacks/{body['id']}"
        return response

    def events(self, request: Request, environ, start_response):
        """`/ari/events?app=…`: the application's events until the socket closes."""
        apps = [app for value in request.args.getlist("app") for app in value.split(",") if app]
        if not apps:
            return error(400, "Missing param: app")(environ, start_response)
        socket = Server(environ)
        lock = threading.Lock()

        def send(text: str) -> None:
            with lock:
                socket.send(text)

        for app in apps:
            self.asterisk.connect(app, send)
        try:
            while socket.connected:
                try:
                    socket.receive(timeout=1)
                except ConnectionClosed:
                    break
        finally:
            for app in apps:
                self.asterisk.disconnect(app, send)
        # The WebSocket took the connection over: nothing more is written to it.
        raise ConnectionError("websocket closed")


def parameters(request: Request) -> dict[str, list[str]]:
    """The query's, a form body's and a JSON body's parameters (JSON `variables` aside)."""
    values = {name: request.args.getlist(name) for name in request.args}
    for name in request.form:
        values.setdefault(name, []).extend(request.form.getlist(name))
    if request.is_json:
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            for name, value in body.items():
                if name != "variables":
                    values.setdefault(name, []).append(value if isinstance(value, str) else json.dumps(value))
    return values


def error(status: int, message: str) -> Response:
    return Response(json.dumps({"message": message}), status=status, mimetype="application/json")
