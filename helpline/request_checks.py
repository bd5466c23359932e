"""Checks every request passes before any view, or any other check, reads its body.

A body larger than `MAX_CONTENT_LENGTH` is a 413 as soon as its declared length is seen: no
form or JSON of the service comes near the bound, and parsing megabytes only to refuse them
would cost a thread and memory for each such request. (Werkzeug stops reading a body sent
without a length at the same bound.)
"""

from flask import Flask, abort, current_app, request


def refuse_large_bodies() -> None:
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if limit is not None and request.content_length is not None and request.content_length > limit:
        abort(413, f"the request body must not be larger than {limit} bytes")


def init_app(app: Flask) -> None:
    app.before_request(refuse_large_bodies)
