"""Logs: one JSON object a line (or readable text in development), each carrying its request id,
and never a caller's number.

The request id comes from the proxy's `X-Request-Id` header (nginx's `$request_id`) when it is
well-formed, so one id follows a request through nginx's and the service's logs; otherwise the
service makes one. Every response echoes it in `X-Request-Id`, and gunicorn's access log (same
format, configured by `gunicorn_logconfig`) records it from there.

The service never hands a caller's number to a logger; `CallerNumberFilter` is the safety net
for the day something does (an exception message, a third-party library): anything that looks
like a phone number in a message, its arguments, a traceback or an extra field is masked before
a handler writes it.
"""

import logging
import logging.config
import re
import time
import uuid

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

FORMATS = ("json", "text")
REQUEST_ID_HEADER = "X-Request-Id"
# nginx's $request_id is 32 hex digits; other proxies use UUIDs. Phone numbers have at most
# 15 digits (E.164), and an id that looks like one is refused anyway (see well_formed_request_id).
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{15,63}")

# Seven digits or more, alone or grouped by spaces, dashes or a closing bracket, optionally
# after a + (or its URL encoding), and not part of a longer word (so CallSids and hex ids are
# left alone). Dots do not group: IP addresses and durations stay readable.
PHONE_NUMBER = re.compile(r"(?<![\w+])(?<!\d\.)(?:\+|%2[Bb]|\b)\d(?:(?: ?- ?| |\) ?)?\d){6,}(?!\w|\.\d)")
# Dates and times are not numbers to hide: the logs would be unreadable without them.
DATE_OR_TIME = re.compile(r"(?<!\d)(?:\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?|\d{2}:\d{2}:\d{2}(?:[.,]\d+)?)(?!\d)")
MASK = "[number removed]"


def mask_numbers(text: str) -> str:
    pieces, start = [], 0
    for date in DATE_OR_TIME.finditer(text):
        pieces += [PHONE_NUMBER.sub(MASK, text[start : date.start()]), date.group(0)]
        start = date.end()
    pieces.append(PHONE_NUMBER.sub(MASK, text[start:]))
    return "".join(pieces)


def well_formed_request_id(value: str | None) -> bool:
    return bool(value) and REQUEST_ID.fullmatch(value) is not None and mask_numbers(value) == value


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """This request's id (made on first use, e.g. in a Socket.IO event); None outside requests."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        given = request.headers.get(REQUEST_ID_HEADER)
        g.request_id = given if well_formed_request_id(given) else new_request_id()
    return g.request_id


def init_app(app: Flask) -> None:
    """Request ids on every request and response; and, for processes gunicorn did not set up
    (`flask` commands, the development server), the logging configuration of LOG_FORMAT."""

    @app.before_request
    def take_request_id() -> None:
        current_request_id()

    @app.after_request
    def echo_request_id(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = current_request_id()
        return response

    if not app.testing and not logging.getLogger().handlers:
        configure(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to each record: the request's, or what the record already carries."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        return True


class CallerNumberFilter(logging.Filter):
    """Masks anything that looks like a phone number, before any formatter sees the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name != "gunicorn.access" or not isinstance(record.args, dict):
            try:
                message = record.getMessage()
            except Exception:  # noqa: BLE001 (any error of a log call's own making)
                # A log call whose arguments do not fit its message must not fail the request.
                message = f"{record.msg} (with arguments that do not fit it)"
            record.msg, record.args = mask_numbers(message), None
        if record.exc_info:
            record.exc_text = mask_numbers(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = mask_numbers(record.stack_info)
        return True


class AccessFields(logging.Filter):
    """gunicorn's access records carry the request's atoms as their arguments: keep the fields an
    operator reads (the query string masked; no headers other than the request id), and make the
    message a readable line for the text format."""

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args
        if record.name != "gunicorn.access" or not isinstance(atoms, dict):
            return True
        query = mask_numbers(atoms.get("q") or "")
        path = mask_numbers(atoms.get("U") or "")
        record.request_id = atoms.get("{x-request-id}o") or None
        record.http = {
            "method": atoms.get("m"),
            "path": path,
            "query": query,
            "status": int(atoms["s"]) if str(atoms.get("s", "")).isdigit() else atoms.get("s"),
            "bytes": atoms.get("B"),
            "duration_ms": round(atoms.get("D", 0) / 1000, 3),
            "remote_addr": atoms.get("h"),
            "forwarded_for": mask_numbers(atoms.get("{x-forwarded-for}i") or "") or None,
        }
        line = f"{record.http['method']} {path}{'?' + query if query else ''} answered {record.http['status']} in {record.http['duration_ms']} ms"
        record.msg, record.args = line, None
        return True


class JsonFormatter(BaseJsonFormatter):
    """One JSON object a line: time, level, logger, message, request id and any extra fields,
    every string among them masked once more."""

    converter = time.gmtime

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger", "asctime": "time"})
        kwargs.setdefault("timestamp", False)
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(process)d", *args, **kwargs)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return super().formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z"

    def process_log_record(self, log_data: dict) -> dict:
        return {key: masked(value) if key != "time" else value for key, value in log_data.items()}


def masked(value):
    if isinstance(value, str):
        return mask_numbers(value)
    if isinstance(value, dict):
        return {key: masked(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [masked(item) for item in value]
    return value


class TextFormatter(logging.Formatter):
    """A readable line, for development: time, level, request id (or -), logger, message."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "request_id", None) is None:
            record.request_id = "-"
        return super().format(record)


def logging_config(log_format: str = "json", level: str = "INFO", *, gunicorn: bool = False) -> dict:
    """A logging.config.dictConfig of the service: errors and app logs to stderr, gunicorn's
    access log (with `gunicorn`) to stdout, both in `log_format`."""
    if log_format not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {log_format!r}")
    formatter = {"()": f"{__name__}.JsonFormatter"} if log_format == "json" else {"()": f"{__name__}.TextFormatter"}
    filters = ["access_fields", "request_id", "caller_numbers"]
    config: dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "access_fields": {"()": f"{__name__}.AccessFields"},
            "request_id": {"()": f"{__name__}.RequestIdFilter"},
            "caller_numbers": {"()": f"{__name__}.CallerNumberFilter"},
        },
        "formatters": {"service": formatter},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "service", "filters": filters, "stream": "ext://sys.stderr"},
        },
        "root": {"level": level.upper(), "handlers": ["stderr"]},
        "loggers": {},
    }
    if gunicorn:
        config["handlers"]["stdout"] = {
            "class": "logging.StreamHandler", "formatter": "service", "filters": filters, "stream": "ext://sys.stdout",
        }
        config["loggers"] = {
            "gunicorn.error": {"level": level.upper(), "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
        }
    return config


def gunicorn_logconfig(log_format: str = "json", level: str = "INFO") -> dict:
    return logging_config(log_format, level, gunicorn=True)


def configure(log_format: str = "json", level: str = "INFO") -> None:
    logging.config.dictConfig(logging_config(log_format, level))
