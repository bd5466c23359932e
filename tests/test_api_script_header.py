"""A change through the JSON API without a JSON body (logging out, taking a caller, the admins'
DELETEs) is refused without X-Requested-With, so another site's form cannot make it; the
anonymous still get 401 and other roles 403 first."""

import pytest
from sqlalchemy import select

from helpline.db import db
from helpline.models import User

SCRIPT = {"X-Requested-With": "XMLHttpRequest"}
REFUSED = "send JSON (Content-Type: application/json) or an X-Requested-With header"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def api_changes(app) -> list[tuple[str, str, tuple[str, ...]]]:
    """Every change the JSON API routes, with the roles its view admits (login is public)."""
    changes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.endpoint == "auth.login":
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods & UNSAFE):
            changes.append((rule, method, view.required_roles))
    return changes


def sample_path(rule) -> str:
    values = {"call_sid": "CA" + "0" * 32, "user_id": 1, "key": "service_level_seconds", "code": "en", "name": "greeting"}
    return rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]


def test_every_change_through_the_api_needs_json_or_the_header(app, client, auth):
    changes = api_changes(app)
    assert len(changes) >= 15
    for rule, method, roles in changes:
        username = f"user-{roles[0]}"
        if not user_exists(app, username):
            auth.create(username, roles[0])
        auth.login(username)
        for kind, send in {
            "nothing": {},
            "a form": {"data": {"state": "available", "reason": "x"}},
            "text/plain": {"data": '{"state": "available"}', "content_type": "text/plain"},
        }.items():
            response = client.open(sample_path(rule), method=method, **send)
            assert response.status_code == 400 and response.json == {"error": REFUSED}, (rule.rule, method, kind)


def user_exists(app, username: str) -> bool:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username)) is not None


def test_logging_out_from_another_sites_form_does_nothing(client, auth):
    auth.create()
    auth.login()
    response = client.post("/api/logout", data={}, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert client.get("/api/me").status_code == 200
    assert client.post("/api/logout", headers=SCRIPT).status_code == 200
    assert client.get("/api/me").status_code == 401


def test_taking_from_another_sites_form_does_nothing(client, auth):
    auth.create()
    auth.login()
    assert client.put("/api/presence", json={"state": "available"}).status_code == 200
    for path in ("/api/queue/take", f"/api/calls/CA{'0' * 32}/take"):
        assert client.post(path, content_type="text/plain").status_code == 400
    # With the header (or a JSON body) the views answer as before: nobody waits, no such call.
    assert client.post("/api/queue/take", headers=SCRIPT).status_code == 409
    assert client.post("/api/queue/take", json={}).status_code == 409
    assert client.post(f"/api/calls/CA{'0' * 32}/take", headers=SCRIPT).status_code == 404


@pytest.mark.parametrize("path", ["/api/logout", "/api/queue/take"])
def test_the_anonymous_get_401_and_other_roles_403_first(client, auth, path):
    assert client.post(path).status_code == 401
    auth.create("supervisor1", "supervisor")
    auth.login("supervisor1")
    if path == "/api/queue/take":
        assert client.post(path).status_code == 403


def test_the_document_asks_for_the_header_where_there_is_no_body(client):
    paths = client.get("/api/openapi.json").json["paths"]
    for path, method in (("/api/logout", "post"), ("/api/queue/take", "post"), ("/api/calls/{call_sid}/take", "post"), ("/api/admin/menu", "delete")):
        header = [p for p in paths[path][method]["parameters"] if p["in"] == "header"]
        assert [(p["name"], p["required"]) for p in header] == [("X-Requested-With", True)], (path, method)
        assert "400" in paths[path][method]["responses"]
    assert all(p["in"] != "header" for p in paths["/api/presence"]["put"].get("parameters", []))
