"""Checks requests pass before their views read them.

A body larger than `MAX_CONTENT_LENGTH` is a 413 as soon as its declared length is seen: no
form or JSON of the service comes near the bound, and parsing megabytes only to refuse them
would cost a thread and memory for each such request. (Werkzeug stops reading a body sent
without a length at the same bound.)

A change through the JSON API (POST, PUT, PATCH, DELETE under /api/) must be JSON or carry an
`X-Requested-With` header. The API has no CSRF tokens and relies on the SameSite=Lax cookie;
this is the second line: another site's page can post a form (urlencoded, multipart or
text/plain) with no preflight, but neither a JSON content type nor a custom header without the
browser asking this site first (CORS), which it never allows. A body-less route such as logging
out or taking a caller would otherwise act on a cross-site form. Checked once the user and their
role are known (`auth.roles_required`), so the anonymous still get 401 and other roles 403.
"""

from flask import Flask, abort, current_app, request


def refuse_large_bodies() -> None:
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if limit is not None and request.content_length is not None and request.content_length > limit:
        abort(413, f"the request body must not be larger than {limit} bytes")


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_PREFIX = "/api/"
REQUESTED_WITH = "X-Requested-With"


def require_script_request() -> None:
    """A change through the JSON API comes from a script of this site, not another site's form."""
    if request.method not in UNSAFE_METHODS or not request.path.startswith(API_PREFIX):
        return
    if request.is_json or REQUESTED_WITH in request.headers:
        return
    abort(400, f"send JSON (Content-Type: application/json) or an {REQUESTED_WITH} header")


def init_app(app: Flask) -> None:
    app.before_request(refuse_large_bodies)
