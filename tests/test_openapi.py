"""The OpenAPI document: served to anyone, valid, and exactly the app's JSON API (routes,
methods and roles), so it cannot drift from the views."""

import copy
import re

import jsonschema_rs
import pytest
import schemathesis
from schemathesis.core.errors import LoaderError

from helpline.models import ROLES

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


def openapi_path(rule: str) -> str:
    """`/api/calls/<call_sid>` and `/api/admin/users/<int:user_id>` as OpenAPI writes them."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def api_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")]


def routed_operations(app) -> set[tuple[str, str]]:
    return {
        (openapi_path(rule.rule), method.lower())
        for rule in api_rules(app)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def documented_operations(document: dict) -> set[tuple[str, str]]:
    return {(path, method) for path, item in document["paths"].items() for method in item if method in HTTP_METHODS}


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def test_served_without_a_login(client):
    # Every other /api/ route refuses the anonymous; the document only describes them.
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get("/api/me").status_code == 401


def test_every_api_route_and_method_is_documented_and_nothing_else(app, document):
    routed, documented = routed_operations(app), documented_operations(document)
    assert routed - documented == set(), "routes missing from the document"
    assert documented - routed == set(), "documented operations the app does not route"
    assert len(routed) >= 40


def test_path_parameters_match_the_rules(app, document):
    for rule in api_rules(app):
        path = openapi_path(rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            declared = [p["name"] for p in document["paths"][path][method.lower()].get("parameters", []) if p["in"] == "path"]
            assert sorted(declared) == sorted(rule.arguments - set(rule.defaults or {})), f"{method} {path}"


def test_roles_in_the_document_are_the_views_roles(app, document):
    for rule in api_rules(app):
        view = app.view_functions[rule.endpoint]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            documented = document["paths"][openapi_path(rule.rule)][method.lower()]
            public = documented.get("security") == []
            if public:
                assert rule.endpoint in {"auth.login", "openapi.document"}, rule.endpoint
                assert documented["x-roles"] == []
                continue
            # Logging out takes any logged-in user: login_required alone, no role list.
            required = getattr(view, "required_roles", ROLES)
            assert set(documented["x-roles"]) == set(required), f"{method} {rule.rule}"
            assert documented["description"].startswith("Roles: ")
            assert "401" in documented["responses"]
            if set(required) != set(ROLES):
                assert "403" in documented["responses"], f"{method} {rule.rule}"


def test_the_document_is_valid_openapi(app, document):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    schema.validate()
    # Schemathesis leaves out the operation that serves the document it loaded.
    assert {operation.ok().label for operation in schema.get_all_operations()} == {
        f"{method.upper()} {path}" for path, method in documented_operations(document)
    } - {"GET /api/openapi.json"}


def test_an_invalid_document_is_refused(document):
    """The validation above can fail: a broken copy of the document does not pass it."""
    broken = copy.deepcopy(document)
    broken["paths"]["/api/me"]["get"]["responses"] = "none"
    with pytest.raises(jsonschema_rs.ValidationError, match='"none" is not of type "object"'):
        schemathesis.openapi.from_dict(broken).validate()
    with pytest.raises(LoaderError):
        schemathesis.openapi.from_dict({**document, "openapi": "9.0.0"})


def test_every_reference_resolves(document):
    text = str(document)
    references = set(re.findall(r"#/components/schemas/(\w+)", text))
    assert references <= set(document["components"]["schemas"]), references - set(document["components"]["schemas"])
    assert references == set(document["components"]["schemas"]), "schemas nothing refers to"


def test_every_operation_describes_its_answers(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            statuses = operation["responses"]
            assert any(status.startswith("2") for status in statuses), f"{method} {path}"
            for status, response in statuses.items():
                if not status.startswith("2"):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, f"{method} {path} {status}"
