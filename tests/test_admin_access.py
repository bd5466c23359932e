"""Administration is the admin role's alone: every route refuses the anonymous, counselors and
supervisors, and a deactivated user's session ends. Helpers for the other admin tests too."""

import re

import pytest

from tests.support.admin import settings_rows, stored_user, user_id
from tests.support.users import PASSWORD, session_csrf_token

ADMIN_PREFIXES = ("/admin", "/api/admin")
# A value for each URL parameter of the admin routes.
SAMPLE_ARGS = {"code": "en", "name": "greeting"}


def admin_routes(app) -> list[tuple[str, str, str]]:
    """(method, endpoint, rule) of every administration route but the static files."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(ADMIN_PREFIXES) and not rule.endpoint.endswith("static"):
            routes += [(method, rule.endpoint, rule.rule) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def sample_path(app, endpoint: str, rule: str, target_id: int) -> str:
    args = {name: SAMPLE_ARGS.get(name) for name in re.findall(r"<(?:\w+:)?(\w+)>", rule)}
    if "user_id" in args:
        args["user_id"] = target_id
    if "key" in args:
        args["key"] = "aging_step_seconds" if "threshold" in endpoint else "anxiety"
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **args)


def send(client, method: str, path: str):
    """The request a browser or a script would send: forms with their CSRF token, JSON to the API."""
    if path.startswith("/api/"):
        body = {"value": 60} if method in ("PUT", "PATCH", "POST") else None
        return client.open(path, method=method, json=body)
    if method == "GET":
        return client.get(path)
    return client.open(path, method=method, data={"csrf_token": session_csrf_token(client), "value": "60"})


def test_the_admin_routes_are_all_there(app):
    endpoints = {endpoint for _, endpoint, _ in admin_routes(app)}
    assert {
        "admin.index", "admin.users_page", "admin.user_page", "admin.deactivate_page", "admin.reactivate_page",
        "admin.role_page", "admin.password_page", "admin.profile_page", "admin.thresholds_page",
        "admin.save_threshold_page", "admin.reset_threshold_page", "admin.labels_page", "admin.label_page",
        "admin.reset_label_page", "admin.menu_page", "admin.menu_keys_page", "admin.menu_prompts_page",
        "admin.reset_menu_page", "admin_api.list_users", "admin_api.create_user", "admin_api.change_user",
        "admin_api.thresholds_api", "admin_api.save_threshold_api", "admin_api.reset_threshold_api",
        "admin_api.labels_api", "admin_api.save_labels_api", "admin_api.reset_labels_api", "admin_api.menu_api",
        "admin_api.save_menu_keys_api", "admin_api.save_menu_prompt_api", "admin_api.reset_menu_api",
    } <= endpoints


def test_every_admin_route_sends_the_anonymous_to_log_in(app, client, auth):
    auth.create("target")
    target = user_id(app, "target")
    for method, endpoint, rule in admin_routes(app):
        path = sample_path(app, endpoint, rule, target)
        response = send(client, method, path)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path)
            assert response.json == {"error": "log in first"}
        else:
            assert response.status_code == 302, (method, path)
            assert response.headers["Location"].startswith("/login?next="), (method, path)
    assert settings_rows(app) == {}


@pytest.mark.parametrize("role", ["counselor", "supervisor"])
def test_every_admin_route_refuses_other_roles_and_changes_nothing(app, client, auth, role):
    auth.create("target")
    auth.create("someone", role)
    auth.login("someone")
    target = user_id(app, "target")
    before = stored_user(app, "target")
    for method, endpoint, rule in admin_routes(app):
        path = sample_path(app, endpoint, rule, target)
        assert send(client, method, path).status_code == 403, (method, path)
    after = stored_user(app, "target")
    assert (after.active, after.role, after.password_hash) == (before.active, before.role, before.password_hash)
    assert settings_rows(app) == {}


def test_admins_reach_every_page(app, admin):
    target = user_id(app, "boss")
    for method, endpoint, rule in admin_routes(app):
        if method == "GET":
            path = sample_path(app, endpoint, rule, target)
            assert admin.get(path).status_code == 200, path


def test_a_form_without_its_csrf_token_is_refused(app, admin):
    response = admin.post("/admin/thresholds/aging_step_seconds", data={"value": "60"})
    assert response.status_code == 400
    assert settings_rows(app) == {}


def test_a_deactivated_users_open_session_ends(app, admin, auth):
    auth.create("counselor1")
    counselor = app.test_client()
    counselor.post("/api/login", json={"username": "counselor1", "password": PASSWORD})
    assert counselor.get("/api/me").status_code == 200
    response = admin.patch(f"/api/admin/users/{user_id(app, 'counselor1')}", json={"active": False})
    assert response.status_code == 200 and response.json["active"] is False
    assert counselor.get("/api/me").status_code == 401
    assert counselor.get("/dashboard").status_code == 302
    # Reactivated, they log in again: the old session stays ended.
    admin.patch(f"/api/admin/users/{user_id(app, 'counselor1')}", json={"active": True})
    assert counselor.get("/api/me").status_code == 401
    assert counselor.post("/api/login", json={"username": "counselor1", "password": PASSWORD}).status_code == 200

