"""`GET /api/openapi.json`: the OpenAPI 3.1 document of the JSON API, generated from the views'
own declarations (flask-smorest over marshmallow): the schemas that validate each body and
query and serialise each answer, the answers each view documents, the path parameters of its
rule and the roles of its `roles_required`. tests/test_openapi.py holds it to the app's routes,
and tests/test_api_fuzz.py holds the service to it (statuses, bodies and content types).

It is served to anyone, unlike every other route under /api/: it describes the interface, which
INTERFACE.md already publishes, and no data; client generators and checkers fetch it without a
session; and each operation in it still refuses the anonymous (401) and the wrong role (403).
"""

from flask import Flask, current_app, jsonify
from flask_smorest import Api

from helpline.openapi.blueprint import ApiBlueprint, Error
from helpline.openapi.document import completed

bp = ApiBlueprint("openapi", __name__, url_prefix="/api")

SPEC = {
    "title": "Helpline",
    "version": "1",
    "openapi_version": "3.1.0",
    "info": {
        "description": "The JSON API of the helpline's call logging and triage service. Log in with "
        "`POST /api/login`; the session cookie it sets authenticates every other operation. Errors "
        "answer `{\"error\": reason}` (and `field` where a body's field is at fault).",
    },
    "security": [{"session": []}],
}


class HelplineApi(Api):
    # Every error answer is documented by its view, or by helpline.openapi.document.
    DEFAULT_ERROR_RESPONSE_NAME = None
    ERROR_SCHEMA = Error

    def _register_doc_blueprint(self):
        """The document is served by `document` below, itself an operation of the document."""

    def _register_error_handlers(self):
        """helpline.routes answers every error, as `{"error": reason}` under /api/."""

    def _register_pagination_header(self):
        """Lists page with `page` and `per_page` in the query (helpline.periods), not a header."""


def init_app(app: Flask, blueprints) -> None:
    """Registers the blueprints, the JSON API's through the document."""
    api = HelplineApi(app, spec_kwargs=SPEC)
    api.spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": "session"})
    for blueprint in blueprints:
        if isinstance(blueprint, ApiBlueprint):
            api.register_blueprint(blueprint)
        else:
            app.register_blueprint(blueprint)
    app.extensions["helpline.openapi"] = api


def generated(app: Flask) -> dict:
    return completed(app.extensions["helpline.openapi"].spec.to_dict(), app)


@bp.get("/openapi.json")
@bp.response(200, {"type": "object"}, description="The OpenAPI document.")
def document():
    """This document"""
    cached = current_app.extensions.get("helpline.openapi.document")
    if cached is None:
        cached = current_app.extensions["helpline.openapi.document"] = generated(current_app)
    return jsonify(cached)
