"""JSON for accounts: /api/admin/users.

    GET   /api/admin/users             every account
    POST  /api/admin/users             {"username", "password", "role", "language"?, "phone_number"?} → 201
    PATCH /api/admin/users/<id>        any of {"active", "role", "password", "language", "phone_number"}

400 names the bad field, 409 gives the rule a change breaks; either way nothing changes.
"""

from flask import abort, jsonify
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from helpline import clock
from helpline.admin import users
from helpline.admin.blueprints import api
from helpline.admin.users import UserChangeRefused, UserFieldError
from helpline.admin.users_views import commit_and_close, keep_own_session, target_user
from helpline.auth import json_body, roles_required
from helpline.db import db
from helpline.models import User

NEW_USER_FIELDS = {"username", "password", "role", "language", "phone_number"}
CHANGE_FIELDS = {"active", "role", "password", "language", "phone_number"}


def field_error(error: UserFieldError):
    return jsonify(error=str(error), field=error.field), 400


def refused(refusal: UserChangeRefused):
    return jsonify(error=str(refusal)), 409


def only_fields(body: dict, allowed: set[str]) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        abort(400, _("%(field)s: not a field here", field=unknown[0]))


@api.get("/users")
@roles_required("admin")
def list_users():
    return jsonify(users=[users.user_json(user) for user in users.users_in_order()])


@api.post("/users")
@roles_required("admin")
def create_user():
    body = json_body()
    only_fields(body, NEW_USER_FIELDS)
    try:
        user = users.add_user(
            body.get("username"), body.get("password"), body.get("role"), body.get("language", "fa"), body.get("phone_number")
        )
        db.session.commit()
    except UserFieldError as error:
        db.session.rollback()
        return field_error(error)
    except IntegrityError:
        db.session.rollback()
        return field_error(UserFieldError("username", _("this username is taken")))
    return jsonify(users.user_json(user)), 201


def checked_changes(body: dict) -> dict:
    """Every value checked before anything changes."""
    only_fields(body, CHANGE_FIELDS)
    changes = {}
    if "active" in body:
        if not isinstance(body["active"], bool):
            raise UserFieldError("active", _("must be true or false"))
        changes["active"] = body["active"]
    if "role" in body:
        changes["role"] = users.checked_role(body["role"])
    if "password" in body:
        changes["password"] = users.checked_password(body["password"])
    if "language" in body:
        changes["language"] = users.checked_language(body["language"])
    if "phone_number" in body:
        changes["phone_number"] = users.checked_phone_number(body["phone_number"])
    return changes


def apply_changes(user: User, changes: dict) -> list[str]:
    """The sockets to close after commit."""
    now, sids = clock.now(), []
    if "role" in changes:
        sids += users.change_role(user, changes["role"], current_user, now)
    if "password" in changes:
        sids += users.reset_password(user, changes["password"], current_user)
    if "language" in changes or "phone_number" in changes:
        language = changes.get("language", user.language)
        users.change_profile(user, language, changes.get("phone_number", user.phone_number), current_user)
    if changes.get("active") is False and user.active:
        sids += users.deactivate(user, current_user, now)
    if changes.get("active") is True and not user.active:
        users.reactivate(user, current_user)
    return sids


@api.patch("/users/<int:user_id>")
@roles_required("admin")
def change_user(user_id: int):
    user = target_user(user_id)
    try:
        sids = apply_changes(user, checked_changes(json_body()))
    except UserFieldError as error:
        db.session.rollback()
        return field_error(error)
    except UserChangeRefused as refusal:
        db.session.rollback()
        return refused(refusal)
    commit_and_close(sids, user.id)
    keep_own_session(user)
    return jsonify(users.user_json(user))
