"""`GET /api/openapi.json`: the OpenAPI 3.1 document of the JSON API.

The document is data (`PATHS`, `SCHEMAS`), written beside the views rather than generated from
them, so it says what clients may rely on; tests/test_openapi.py holds it to the app's routes
(every `/api/` rule and method, nothing more) and to each view's roles, and
tests/test_api_fuzz.py holds the service to it (statuses, bodies and content types).

It is served to anyone, unlike every other route under /api/: it describes the interface, which
INTERFACE.md already publishes, and no data; client generators and checkers fetch it without a
session; and each operation in it still refuses the anonymous (401) and the wrong role (403).
"""

from flask import Blueprint, jsonify

from helpline.openapi.paths import PATHS
from helpline.openapi.schemas import SCHEMAS

bp = Blueprint("openapi", __name__, url_prefix="/api")

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "Helpline",
        "version": "1",
        "description": "The JSON API of the helpline's call logging and triage service. Log in with "
        "`POST /api/login`; the session cookie it sets authenticates every other operation. Errors "
        "answer `{\"error\": reason}` (and `field` where a body's field is at fault).",
    },
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "session"}},
    },
    "security": [{"session": []}],
}


@bp.get("/openapi.json")
def document():
    return jsonify(DOCUMENT)
