"""A minimal fake of the provider's REST API, so the service can take a caller out of the queue.

Real HTTP on its own port, in a thread; the service's twilio library reaches it through
`TWILIO_API_BASE_URL`. Two resources, both updated by POST with HTTP basic auth
(AccountSid, AuthToken):

    /2010-04-01/Accounts/{AC}/Queues/{QU}/Members/{CA or Front}.json   Url, Method
    /2010-04-01/Accounts/{AC}/Calls/{CA}.json                           Url, Method

Either redirects a caller waiting in a provider queue to new TwiML; the call's own thread
then does what the provider does (twiml_walker.py). Errors are JSON shaped like the
provider's, which the twilio library turns into `TwilioRestException`. A `RestServer` lives
across runs (its address stays put); `run()` attaches each run's calls to it.
"""

import json
import logging
import threading
from datetime import datetime, timezone
from email.utils import format_datetime
from urllib.parse import urlsplit

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from helpline.emulator.options import parse_listen

log = logging.getLogger(__name__)

API = "/2010-04-01/Accounts/<account_sid>"
ROUTES = Map([
    Rule(f"{API}/Queues/<queue_sid>/Members/<call_sid>.json", endpoint="member", methods=["POST"]),
    Rule(f"{API}/Calls/<call_sid>.json", endpoint="call", methods=["POST"]),
])
# Call-update parameters that do something other than a redirect; none is emulated.
NOT_EMULATED = ("Twiml", "Status")


class RestError(Exception):
    def __init__(self, status: int, code: int, message: str, *, problem: bool = False):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        # Whether this answer means the service used the API in a way the emulator cannot play.
        self.problem = problem


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


class RestServer:
    """The fake REST API on `host:port` (0: any free port); the address is `base_url` as soon
    as it is constructed, before `start()`."""

    def __init__(self, account_sid: str, auth_token: str, host: str = "127.0.0.1", port: int = 0):
        if not account_sid or not auth_token:
            raise ValueError("the REST server needs the AccountSid and the auth token to check requests")
        self.account_sid = account_sid
        self.auth_token = auth_token
        self._server = make_server(host, port, self, threaded=True, request_handler=_QuietHandler)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._context = None

    @classmethod
    def listen(cls, address: str, account_sid: str, auth_token: str) -> "RestServer":
        host, port = parse_listen(address)
        return cls(account_sid, auth_token, host, port)

    @property
    def base_url(self) -> str:
        host = self._server.server_address[0]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self._server.server_port}"

    def start(self) -> "RestServer":
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever, name="emulator-rest", daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
        self._server.server_close()

    def __enter__(self) -> "RestServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.close()

    def attach(self, context) -> None:
        """Serve this run's calls (a `RunContext`); one run at a time."""
        with self._lock:
            if self._context is not None:
                raise RuntimeError("the REST server already serves another run")
            self._context = context

    def detach(self) -> None:
        with self._lock:
            self._context = None

    def __call__(self, environ, start_response):
        request = Request(environ)
        with self._lock:
            context = self._context
        try:
            status, body = 200, self.handle(request, context)
        except RestError as error:
            status, body = error.status, self.error_body(error)
            if error.problem and context is not None:
                context.recorder.problem(f"REST {request.method} {request.path}: {error.message}")
        except Exception as error:  # noqa: BLE001 - answer like the provider would, and say so
            log.exception("the fake REST API failed on %s", request.path)
            status, body = 500, self.error_body(RestError(500, 20500, "Internal Server Error"))
            if context is not None:
                context.recorder.problem(f"REST {request.method} {request.path}: emulator error {type(error).__name__}: {error}")
        if context is not None:
            context.recorder.rest_request(status)
        headers = {"Connection": "close"}  # no idle keep-alive threads outliving a run
        if status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
        response = Response(json.dumps(body), status=status, mimetype="application/json", headers=headers)
        return response(environ, start_response)

    @staticmethod
    def error_body(error: RestError) -> dict:
        return {
            "code": error.code,
            "message": error.message,
            "more_info": f"https://www.twilio.com/docs/errors/{error.code}",
            "status": error.status,
        }

    def handle(self, request: Request, context) -> dict:
        auth = request.authorization
        if auth is None or auth.type != "basic" or (auth.username, auth.password) != (self.account_sid, self.auth_token):
            raise RestError(401, 20003, "Authenticate")
        try:
            endpoint, args = ROUTES.bind_to_environ(request.environ).match()
        except MethodNotAllowed:
            raise RestError(405, 20004, f"Method {request.method} not allowed (not emulated)", problem=True) from None
        except NotFound:
            raise RestError(404, 20404, f"The requested resource {request.path} was not found (not emulated)", problem=True) from None
        if args["account_sid"] != self.account_sid:
            raise not_found(request)
        url = redirect_target(request.form)
        if context is None:
            raise not_found(request)
        if endpoint == "member":
            return self.update_member(request, context, args["queue_sid"], args["call_sid"], url)
        return self.update_call(request, context, args["call_sid"], url)

    def update_member(self, request: Request, context, queue_sid: str, call_sid: str, url: str) -> dict:
        queue = context.queues.by_sid(queue_sid)
        taken = queue.redirect(None if call_sid == "Front" else call_sid, url) if queue is not None else None
        if taken is None:
            raise not_found(request)
        member, position = taken
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Queues/{queue.sid}/Members/{member.call_sid}.json"
        return {
            "call_sid": member.call_sid,
            "queue_sid": queue.sid,
            "date_enqueued": format_datetime(member.joined_at),
            "position": position,
            "wait_time": int(member.waited()),
            "uri": uri,
        }

    def update_call(self, request: Request, context, call_sid: str, url: str) -> dict:
        call = context.live.get(call_sid)
        queue = context.queues.holding(call_sid) if call is not None else None
        if queue is None or queue.redirect(call_sid, url) is None:
            # The provider would redirect a live call wherever it is; the emulator only takes
            # callers out of a queue, which is all the service asks of it.
            raise not_found(request, "" if call is None else ": the emulator redirects only calls waiting in a queue")
        when = datetime.now(timezone.utc)
        return {
            "sid": call_sid,
            "account_sid": self.account_sid,
            "parent_call_sid": None,
            "from": call.outcome.caller,
            "from_formatted": call.outcome.caller,
            "to": call.options.to,
            "to_formatted": call.options.to,
            "status": "in-progress",
            "direction": "inbound",
            "api_version": "2010-04-01",
            "date_created": format_datetime(call.started_at or when),
            "date_updated": format_datetime(when),
            "start_time": format_datetime(call.answered_at or call.started_at or when),
            "end_time": None,
            "duration": None,
            "price": None,
            "price_unit": "USD",
            "answered_by": None,
            "caller_name": None,
            "queue_time": "0",
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Calls/{call_sid}.json",
        }


def redirect_target(form) -> str:
    """The absolute URL to redirect to, or a 400 naming what is wrong with the request."""
    for name in NOT_EMULATED:
        if name in form:
            raise RestError(400, 20001, f"{name} is not emulated; only a redirect (Url, Method=POST) is", problem=True)
    url = form.get("Url")
    if not url:
        raise RestError(400, 21205, "Missing required parameter Url in the post body")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RestError(400, 21205, f"Url is not a valid absolute URL: {url}")
    method = form.get("Method", "POST").upper()
    if method == "GET":
        raise RestError(400, 20001, "Method=GET is not emulated; only POST", problem=True)
    if method != "POST":
        raise RestError(400, 21207, f"Method is not a valid HTTP method: {method}")
    return url


def not_found(request: Request, detail: str = "") -> RestError:
    return RestError(404, 20404, f"The requested resource {request.path} was not found{detail}")
