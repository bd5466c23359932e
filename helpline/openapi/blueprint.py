"""The blueprint every JSON route is declared on: each view's body, query and answers are
marshmallow schemas, which validate and serialise them and from which the OpenAPI document is
generated (flask-smorest).

A refused body answers 400 `{"error": "<field>: <reason>", "field": "<field>"}` (see
`validation_answer`); a body that is not a JSON object, the 400 of `auth.json_body`.
"""

import marshmallow as ma
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser

from helpline.auth import json_body


class Error(ma.Schema):
    error = ma.fields.String(required=True, metadata={"description": "One line saying what is wrong."})
    field = ma.fields.String(metadata={"description": "The body's field at fault, when one is."})


class Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400

    def load_json(self, req, schema):
        return json_body()


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = Parser()

    def refuses(self, status: int, description: str):
        """Documents an error answer of the view (`{"error": reason}`)."""
        return self.alt_response(status, schema=Error, description=description)

    def _prepare_arguments_doc(self, doc, doc_info, **kwargs):
        # The 400 of a refused body is the document's own (helpline.openapi.document), not
        # the library's generic one.
        doc_info.get("arguments", {}).pop("responses", None)
        return super()._prepare_arguments_doc(doc, doc_info, **kwargs)


def validation_answer(messages: dict) -> tuple[str, str]:
    """The first field webargs found at fault, and its first reason (nested fields, as a list's
    items or a mapping's keys, name their top field)."""
    located = next(iter(messages.values())) if messages else {}
    if not isinstance(located, dict) or not located:
        return "", "send a JSON object (Content-Type: application/json)"
    field, reason = next(iter(located.items()))
    while isinstance(reason, dict):
        reason = next(iter(reason.values()))
    if isinstance(reason, list):
        reason = reason[0]
    return str(field), str(reason)
