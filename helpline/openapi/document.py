"""What every operation of the generated document shares, derived from the app itself: its
roles (each view's `roles_required`), the refusals that go with them, the 400 of a body or a
query, and the header a change without a JSON body needs (helpline.request_checks)."""

import re

from flask import Flask

from helpline.models import ROLES

ERROR = {"$ref": "#/components/schemas/Error"}
UNSAFE_METHODS = ("post", "put", "patch", "delete")
REQUESTED_WITH = {
    "name": "X-Requested-With",
    "in": "header",
    "required": True,
    "schema": {"type": "string", "example": "XMLHttpRequest"},
    "description": "Any value: another site's form cannot send it (a change without a JSON body is refused without it).",
}


def answer(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def operations(app: Flask):
    """(path, method, view) of every JSON route."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield openapi_path(rule.rule), method.lower(), app.view_functions[rule.endpoint]


def completed(generated: dict, app: Flask) -> dict:
    """The generated document with only the JSON API's paths (a blueprint may also hold pages),
    each operation complete in itself (path parameters included) and with what it shares."""
    paths = {}
    for path, method, view in operations(app):
        item = generated["paths"][path]
        described = dict(item[method])
        described.pop("tags", None)
        parameters = [*item.get("parameters", []), *described.get("parameters", [])]
        if parameters:
            described["parameters"] = parameters
        paths.setdefault(path, {})[method] = shared(described, method, getattr(view, "required_roles", None))
    document = {**generated, "paths": paths}
    document.pop("tags", None)
    return document


def shared(described: dict, method: str, roles: tuple[str, ...] | None) -> dict:
    """`roles` None for the public operations."""
    responses = {status: response for status, response in described["responses"].items() if isinstance(response, dict)}
    if "requestBody" in described:
        responses.setdefault("400", answer("The body is not a JSON object, or a field is wrong (named)."))
    elif method in UNSAFE_METHODS:
        described["parameters"] = [*described.get("parameters", []), REQUESTED_WITH]
        responses.setdefault("400", answer("No JSON body and no X-Requested-With header."))
    if described.get("parameters"):
        responses.setdefault("400", answer("A bad parameter (a NUL character is never accepted)."))
    if roles is None:
        described["security"] = []
        described["description"] = "Public: no login."
    else:
        responses["401"] = answer("Not logged in.")
        if set(roles) != set(ROLES):
            responses.setdefault("403", answer("Logged in with another role."))
        described["description"] = f"Roles: {', '.join(roles)}."
    described["x-roles"] = list(roles or ())
    described["responses"] = dict(sorted(responses.items()))
    return described
