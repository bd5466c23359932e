"""The document's building blocks: references, nullable values, objects, and operations with
the refusals every guarded route shares."""

from helpline.models import ROLES


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def maybe(schema: dict) -> dict:
    """The schema, or null."""
    return {"anyOf": [schema, {"type": "null"}]}


def obj(required: dict, optional: dict | None = None, *, extra: bool | dict = False) -> dict:
    """An object with these properties; `extra` says what other properties may be."""
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
        "additionalProperties": extra,
    }


STRING, INTEGER, NUMBER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}
COUNT = {"type": "integer", "minimum": 0}
RATIO = {"type": "number", "minimum": 0, "maximum": 1}
STAMP = {"type": "string", "format": "date-time"}
DAY = {"type": "string", "format": "date"}
SECONDS = maybe({"type": "number", "minimum": 0})

JSON = "application/json"
CSV_CONTENT = {"text/csv": {"schema": {"type": "string", "description": "A header row, then one row per line; no numbers."}}}


def answer(description: str, schema: dict | None = None) -> dict:
    return {"description": description, "content": {JSON: {"schema": schema or ref("Error")}}}


def body_of(schema: dict) -> dict:
    return {"required": True, "content": {JSON: {"schema": schema}}}


def operation(
    summary: str, roles: tuple[str, ...] | None, responses: dict, *, parameters: tuple = (), body: dict | None = None
) -> dict:
    """One operation; `roles` None for the public ones. The refusals every guarded route shares
    (401, 403 for a role outside `roles`, 400 for a body that is not a JSON object or a bad
    parameter) are added."""
    described = {**responses}
    if body is not None:
        described.setdefault("400", answer("The body is not a JSON object, or a field is wrong (named)."))
    if parameters:
        described.setdefault("400", answer("A bad parameter (a NUL character is never accepted)."))
    if roles is not None:
        described["401"] = answer("Not logged in.")
        if set(roles) != set(ROLES):
            described["403"] = answer("Logged in with another role.")
    result = {
        "summary": summary,
        "description": f"Roles: {', '.join(roles)}." if roles is not None else "Public: no login.",
        "responses": dict(sorted(described.items())),
        "x-roles": list(roles) if roles is not None else [],
    }
    if roles is None:
        result["security"] = []
    if parameters:
        result["parameters"] = list(parameters)
    if body is not None:
        result["requestBody"] = body_of(body)
    return result


def path_parameter(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}


def query_parameter(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


UNSAFE_METHODS = ("post", "put", "patch", "delete")
REQUESTED_WITH = {
    "name": "X-Requested-With",
    "in": "header",
    "required": True,
    "schema": {"type": "string", "example": "XMLHttpRequest"},
    "description": "Any value: another site's form cannot send it (a change without a JSON body is refused without it).",
}


def with_script_header(paths: dict) -> dict:
    """Every change without a JSON body (logging out, taking a caller, a DELETE) takes the header
    that tells a script of this site from another site's form; 400 without it."""
    for item in paths.values():
        for method, described in item.items():
            if method in UNSAFE_METHODS and "requestBody" not in described:
                described["parameters"] = [*described.get("parameters", []), REQUESTED_WITH]
                described["responses"] = dict(
                    sorted({"400": answer("No JSON body and no X-Requested-With header."), **described["responses"]}.items())
                )
    return paths
