"""Accounts: creating, deactivating and reactivating, passwords, roles, language and phone."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from helpline import clock
from helpline.admin import users
from helpline.admin.users import UserChangeRefused
from helpline.db import db
from helpline.live import socketio
from helpline.models import Call, SocketConnection, User
from tests.support.admin import NEW_USER, set_language, stored_user, user_id
from tests.support.provider import new_call_sid
from tests.support.users import PASSWORD, post_form


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def logs_in(app, username: str, password: str = PASSWORD) -> bool:
    return app.test_client().post("/api/login", json={"username": username, "password": password}).status_code == 200


def test_the_create_form_makes_an_account_that_logs_in(app, admin):
    response = post_form(admin, "/admin/users", NEW_USER)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    listing = admin.get("/admin/users")
    assert b'data-username="newcomer"' in listing.data and b"+992900123456" in listing.data
    user = stored_user(app, "newcomer")
    assert (user.role, user.language, user.phone_number, user.active) == ("counselor", "tg", "+992900123456", True)
    assert logs_in(app, "newcomer", "a long enough secret")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"password_again": "another long secret"}, b"The two passwords differ."),
        ({"password": "short", "password_again": "short"}, b"at least 10"),
        ({"phone_number": "0912 123 4567"}, b"international number"),
        ({"username": ""}, b"This field is required."),
        ({"username": " padded "}, b"printable characters"),
        ({"username": "boss"}, b"this username is taken"),
        ({"role": "superuser"}, b"Not a valid choice"),
        ({"language": "de"}, b"Not a valid choice"),
    ],
)
def test_the_create_form_refuses_bad_values_and_creates_nothing(app, admin, change, message):
    before = user_count(app)
    response = post_form(admin, "/admin/users", {**NEW_USER, **change})
    assert response.status_code == 400
    assert message in response.data
    assert user_count(app) == before


def test_creating_over_json(app, admin):
    body = {key: NEW_USER[key] for key in ("username", "role", "language", "phone_number", "password")}
    response = admin.post("/api/admin/users", json=body)
    assert response.status_code == 201
    assert response.json["username"] == "newcomer" and response.json["language"] == "tg"
    assert "password" not in response.json and "password_hash" not in response.json
    assert [entry["username"] for entry in admin.get("/api/admin/users").json["users"]] == ["boss", "newcomer"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"password": "too short"}, "password"),
        ({"role": "root"}, "role"),
        ({"language": "ru"}, "language"),
        ({"phone_number": "12345"}, "phone_number"),
        ({"username": 42}, "username"),
        ({"username": "boss"}, "username"),
    ],
)
def test_creating_over_json_refuses_bad_values(app, admin, change, field):
    body = {"username": "newcomer", "role": "counselor", "password": "a long enough secret", **change}
    response = admin.post("/api/admin/users", json=body)
    assert response.status_code == 400 and response.json["field"] == field
    assert user_count(app) == 1


def test_unknown_fields_are_refused(app, admin):
    body = {key: NEW_USER[key] for key in ("username", "role", "password")}
    response = admin.post("/api/admin/users", json={**body, "is_admin": True})
    assert response.status_code == 400 and "is_admin" in response.json["error"]
    assert user_count(app) == 1


def test_deactivating_stops_logins_closes_sockets_and_goes_offline(app, admin, auth, client):
    auth.create("counselor1")
    counselor = app.test_client()
    counselor.post("/api/login", json={"username": "counselor1", "password": PASSWORD})
    counselor.put("/api/presence", json={"state": "available"})
    socket = socketio.test_client(app, flask_test_client=counselor)
    assert socket.is_connected()

    response = post_form(admin, f"/admin/users/{user_id(app, 'counselor1')}/deactivate")
    assert response.status_code == 302
    assert not socket.is_connected()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SocketConnection)) == 0
    user = stored_user(app, "counselor1")
    assert (user.active, user.presence) == (False, "offline")
    assert not logs_in(app, "counselor1")
    assert not socketio.test_client(app, flask_test_client=counselor).is_connected()
    assert b"deactivated" in admin.get(f"/admin/users/{user.id}").data

    assert post_form(admin, f"/admin/users/{user.id}/reactivate").status_code == 302
    assert stored_user(app, "counselor1").active
    assert logs_in(app, "counselor1")
    # The session from before stays ended: reactivated, the account must log in again.
    assert counselor.get("/api/me").status_code == 401


def test_an_admin_cannot_deactivate_themself(app, admin):
    boss = user_id(app, "boss")
    response = post_form(admin, f"/admin/users/{boss}/deactivate")
    assert response.status_code == 409 and b"your own account" in response.data
    assert admin.patch(f"/api/admin/users/{boss}", json={"active": False}).status_code == 409
    assert stored_user(app, "boss").active


def test_the_last_admin_cannot_demote_themself(app, admin):
    boss = user_id(app, "boss")
    response = post_form(admin, f"/admin/users/{boss}/role", {"role": "supervisor"})
    assert response.status_code == 409 and b"your own role" in response.data
    response = admin.patch(f"/api/admin/users/{boss}", json={"role": "counselor"})
    assert response.status_code == 409
    assert stored_user(app, "boss").role == "admin"
    # Setting the role they have is no change at all.
    assert admin.patch(f"/api/admin/users/{boss}", json={"role": "admin"}).status_code == 200


def test_an_admin_demotes_another_admin_who_then_loses_admin_pages(app, admin, auth):
    auth.create("deputy", "admin")
    deputy = app.test_client()
    deputy.post("/api/login", json={"username": "deputy", "password": PASSWORD})
    assert deputy.get("/admin/users").status_code == 200
    response = post_form(admin, f"/admin/users/{user_id(app, 'deputy')}/role", {"role": "supervisor"})
    assert response.status_code == 302
    assert stored_user(app, "deputy").role == "supervisor"
    assert deputy.get("/admin/users").status_code == 403


def test_a_deactivated_admin_changes_nothing(app, auth):
    auth.create("boss", "admin")
    auth.create("deputy", "admin")
    auth.create("counselor1")
    with app.test_request_context():
        boss, deputy, counselor = (db.session.scalar(select(User).where(User.username == name)) for name in ("boss", "deputy", "counselor1"))
        users.deactivate(deputy, boss, clock.now())
        db.session.commit()
        # A request the deputy began before being deactivated (the two admins at the same moment).
        with pytest.raises(UserChangeRefused):
            users.deactivate(boss, deputy, clock.now())
        with pytest.raises(UserChangeRefused):
            users.change_role(counselor, "supervisor", deputy, clock.now())
        db.session.rollback()
    assert stored_user(app, "boss").active and stored_user(app, "counselor1").role == "counselor"


def test_role_changes_close_sockets_and_wait_for_unlogged_calls(app, admin, auth):
    auth.create("counselor1")
    counselor = app.test_client()
    counselor.post("/api/login", json={"username": "counselor1", "password": PASSWORD})
    socket = socketio.test_client(app, flask_test_client=counselor)
    counselor_id = user_id(app, "counselor1")
    with app.app_context():
        now = clock.now()
        db.session.add(Call(call_sid=new_call_sid(), started_at=now - timedelta(minutes=5), counselor_id=counselor_id,
                            taken_at=now - timedelta(minutes=4), ended_at=now))
        db.session.commit()

    response = admin.patch(f"/api/admin/users/{counselor_id}", json={"role": "supervisor"})
    assert response.status_code == 409 and "counselor1" in response.json["error"]
    assert socket.is_connected() and stored_user(app, "counselor1").role == "counselor"

    with app.app_context():
        db.session.execute(Call.__table__.update().values(logged_at=clock.now()))
        db.session.commit()
    response = post_form(admin, f"/admin/users/{counselor_id}/role", {"role": "supervisor"})
    assert response.status_code == 302
    assert stored_user(app, "counselor1").role == "supervisor"
    assert not socket.is_connected()
    assert counselor.get("/api/me").json["role"] == "supervisor"


def test_reset_password(app, admin, auth):
    auth.create("counselor1")
    target = user_id(app, "counselor1")
    counselor = app.test_client()
    assert counselor.post("/api/login", json={"username": "counselor1", "password": PASSWORD}).status_code == 200
    short = {"new_password": "2short", "new_password_again": "2short"}
    assert post_form(admin, f"/admin/users/{target}/password", short).status_code == 400
    differ = {"new_password": "a brand new secret", "new_password_again": "a brand new secreT"}
    assert post_form(admin, f"/admin/users/{target}/password", differ).status_code == 400
    assert admin.patch(f"/api/admin/users/{target}", json={"password": "123456789"}).status_code == 400
    assert logs_in(app, "counselor1")

    assert counselor.get("/api/me").status_code == 200
    socket = socketio.test_client(app, flask_test_client=counselor)
    assert socket.is_connected()

    same = {"new_password": "a brand new secret", "new_password_again": "a brand new secret"}
    assert post_form(admin, f"/admin/users/{target}/password", same).status_code == 302
    assert not logs_in(app, "counselor1") and logs_in(app, "counselor1", "a brand new secret")
    # Whoever was logged in with the old password is no longer, nor is their open dashboard.
    assert counselor.get("/api/me").status_code == 401
    assert not socket.is_connected()
    assert [packet["name"] for packet in socket.queue if packet.get("name") == "logged_out"] == ["logged_out"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SocketConnection)) == 0
    assert not socketio.test_client(app, flask_test_client=counselor).is_connected()


def test_a_new_password_through_the_api_closes_the_users_sockets(app, admin, auth):
    auth.create("counselor1")
    counselor = app.test_client()
    counselor.post("/api/login", json={"username": "counselor1", "password": PASSWORD})
    socket = socketio.test_client(app, flask_test_client=counselor)
    assert socket.is_connected()
    response = admin.patch(f"/api/admin/users/{user_id(app, 'counselor1')}", json={"password": "a brand new secret"})
    assert response.status_code == 200
    assert not socket.is_connected()
    assert counselor.get("/api/me").status_code == 401


@pytest.mark.parametrize("through", ["form", "json"])
def test_an_admin_who_sets_their_own_password_stays_logged_in_here_only(app, admin, through):
    elsewhere = app.test_client()
    assert elsewhere.post("/api/login", json={"username": "boss", "password": PASSWORD}).status_code == 200
    boss = user_id(app, "boss")
    if through == "form":
        same = {"new_password": "a brand new secret", "new_password_again": "a brand new secret"}
        assert post_form(admin, f"/admin/users/{boss}/password", same).status_code == 302
    else:
        assert admin.patch(f"/api/admin/users/{boss}", json={"password": "a brand new secret"}).status_code == 200
    assert admin.get("/api/me").status_code == 200
    assert elsewhere.get("/api/me").status_code == 401


def test_an_admins_own_new_password_closes_their_sockets_and_lets_this_sessions_back(app, admin):
    here = socketio.test_client(app, flask_test_client=admin)
    elsewhere = app.test_client()
    assert elsewhere.post("/api/login", json={"username": "boss", "password": PASSWORD}).status_code == 200
    there = socketio.test_client(app, flask_test_client=elsewhere)
    assert here.is_connected() and there.is_connected()

    same = {"new_password": "a brand new secret", "new_password_again": "a brand new secret"}
    response = post_form(admin, f"/admin/users/{user_id(app, 'boss')}/password", same)
    assert response.status_code == 302
    # Closed only once the response (with this session's new cookie) has gone, as the server
    # closes it after sending: closed before, a page here would ask who it is with the old
    # cookie and be sent to log in.
    assert here.is_connected() and there.is_connected()
    response.close()
    # Both closed without a logout (which would send this page to the login too): each
    # reconnects, and only the session that set the password is let back in.
    assert not here.is_connected() and not there.is_connected()
    assert not [packet for packet in here.queue + there.queue if packet.get("name") == "logged_out"]
    assert socketio.test_client(app, flask_test_client=admin).is_connected()
    assert not socketio.test_client(app, flask_test_client=elsewhere).is_connected()


def test_language_and_phone(app, admin, auth):
    auth.create("counselor1")
    set_language(app, "counselor1", "fa")
    target = user_id(app, "counselor1")
    bad = {"profile_language": "en", "profile_phone_number": "call me"}
    response = post_form(admin, f"/admin/users/{target}/profile", bad)
    assert response.status_code == 400 and b"international number" in response.data
    assert stored_user(app, "counselor1").language == "fa"

    good = {"profile_language": "en", "profile_phone_number": " +989121112233 "}
    assert post_form(admin, f"/admin/users/{target}/profile", good).status_code == 302
    user = stored_user(app, "counselor1")
    assert (user.language, user.phone_number) == ("en", "+989121112233")
    response = admin.patch(f"/api/admin/users/{target}", json={"phone_number": None, "language": "tg"})
    assert response.status_code == 200 and (response.json["phone_number"], response.json["language"]) == (None, "tg")


def test_a_counselors_asterisk_endpoint(app, admin, auth):
    auth.create("counselor1")
    target = user_id(app, "counselor1")
    bad = {"profile_language": "en", "profile_phone_number": "", "profile_endpoint": "PJSIP/ 201"}
    response = post_form(admin, f"/admin/users/{target}/profile", bad)
    assert response.status_code == 400 and b"PJSIP/201" in response.data and stored_user(app, "counselor1").endpoint is None
    good = {"profile_language": "en", "profile_phone_number": "", "profile_endpoint": " PJSIP/201 "}
    assert post_form(admin, f"/admin/users/{target}/profile", good).status_code == 302
    assert stored_user(app, "counselor1").endpoint == "PJSIP/201"
    assert b"PJSIP/201" in admin.get(f"/admin/users/{target}").data
    refused = admin.patch(f"/api/admin/users/{target}", json={"endpoint": "IAX2/201"})
    assert refused.status_code == 400 and refused.json["field"] == "endpoint"
    changed = admin.patch(f"/api/admin/users/{target}", json={"endpoint": "PJSIP/+989121234567@trunk"})
    assert changed.status_code == 200 and changed.json["endpoint"] == "PJSIP/+989121234567@trunk"
    created = admin.post("/api/admin/users", json={**{k: NEW_USER[k] for k in ("role", "password")}, "username": "nima", "endpoint": "PJSIP/202"})
    assert created.status_code == 201 and created.json["endpoint"] == "PJSIP/202"
    assert admin.patch(f"/api/admin/users/{target}", json={"endpoint": None}).json["endpoint"] is None


def test_a_patch_with_one_bad_value_changes_nothing(app, admin, auth):
    auth.create("counselor1")
    set_language(app, "counselor1", "fa")
    target = user_id(app, "counselor1")
    response = admin.patch(f"/api/admin/users/{target}", json={"language": "en", "active": "no"})
    assert response.status_code == 400 and response.json["field"] == "active"
    response = admin.patch(f"/api/admin/users/{target}", json={"language": "en", "role": "overlord"})
    assert response.status_code == 400 and response.json["field"] == "role"
    user = stored_user(app, "counselor1")
    assert (user.language, user.role, user.active) == ("fa", "counselor", True)


def test_an_unknown_user_is_404(admin):
    assert admin.get("/admin/users/99999").status_code == 404
    assert admin.patch("/api/admin/users/99999", json={"active": False}).status_code == 404


@pytest.mark.parametrize("user_id", [2**31, 2**63, 10**30])
def test_an_id_past_the_databases_integers_is_404(admin, user_id):
    # Found by the schemathesis run on PostgreSQL (integer out of range: a 500 before).
    assert admin.patch(f"/api/admin/users/{user_id}", json={"active": False}).status_code == 404
