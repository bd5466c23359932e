"""JSON for accounts: /api/admin/users.

    GET   /api/admin/users             every account
    POST  /api/admin/users             {"username", "password", "role", "language"?, "phone_number"?, "endpoint"?} → 201
    PATCH /api/admin/users/<id>        any of {"active", "role", "password", "language", "phone_number", "endpoint"}

400 names the bad field, 409 gives the rule a change breaks; either way nothing changes.
"""

from flask import jsonify
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf
from sqlalchemy.exc import IntegrityError

from helpline import clock
from helpline.admin import users
from helpline.admin.blueprints import api
from helpline.admin.users import UserChangeRefused, UserFieldError
from helpline.admin.users_views import commit_and_close, keep_own_session, target_user
from helpline.auth import roles_required
from helpline.db import db
from helpline.models import PRESENCE_STATES, ROLES, User
from helpline.taxonomy import LANGUAGES


class StrictBoolean(fields.Boolean):
    """true or false, nothing that looks like them."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def role_field(**kwargs):
    return fields.String(validate=OneOf(ROLES, error=_l("must be one of %(roles)s", roles=", ".join(ROLES))), **kwargs)


def language_field(**kwargs):
    return fields.String(validate=OneOf(LANGUAGES, error=_l("must be one of %(languages)s", languages=", ".join(LANGUAGES))), **kwargs)


def password_field(**kwargs):
    limits = {"least": users.MIN_PASSWORD, "most": users.MAX_PASSWORD}
    return fields.String(
        validate=Length(users.MIN_PASSWORD, users.MAX_PASSWORD, error=_l("must have %(least)d to %(most)d characters", **limits)),
        load_only=True, **kwargs,
    )  # fmt: skip


def phone_field():
    # Checked by `users.checked_phone_number` (an empty one is none), as the page's is.
    return fields.String(allow_none=True, metadata={"pattern": r"^\+[1-9][0-9]{6,14}$"})


def endpoint_field():
    # Checked by `users.checked_user_endpoint` (an empty one is none), as the page's is.
    return fields.String(allow_none=True, metadata={"description": "An Asterisk endpoint such as PJSIP/201.", "maxLength": 80})


class NewUserSchema(Schema):
    error_messages = {"unknown": "not a field here"}

    username = fields.String(required=True, validate=Length(1, 64), error_messages={"invalid": _l("must be text")})
    password = password_field(required=True)
    role = role_field(required=True)
    language = language_field(load_default="fa")
    phone_number = phone_field()
    endpoint = endpoint_field()


class UserChangeSchema(Schema):
    error_messages = {"unknown": "not a field here"}

    active = StrictBoolean(error_messages={"invalid": _l("must be true or false")})
    role = role_field()
    password = password_field()
    language = language_field()
    phone_number = phone_field()
    endpoint = endpoint_field()


class UserSchema(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    role = role_field(required=True)
    active = fields.Boolean(required=True)
    language = language_field(required=True)
    phone_number = fields.String(required=True, allow_none=True)
    endpoint = fields.String(required=True, allow_none=True)
    presence = fields.String(required=True, validate=OneOf(PRESENCE_STATES))
    created_at = fields.DateTime(required=True)


class UsersSchema(Schema):
    users = fields.List(fields.Nested(UserSchema), required=True)


USER_ID = {"in": "path", "name": "user_id", "description": "The account's id (404 past the ids the database holds)."}


def field_error(error: UserFieldError):
    return jsonify(error=str(error), field=error.field), 400


def refused(refusal: UserChangeRefused):
    return jsonify(error=str(refusal)), 409


@api.get("/users")
@roles_required("admin")
@api.response(200, UsersSchema, description="The accounts.")
def list_users():
    """Every account"""
    return {"users": users.users_in_order()}


@api.post("/users")
@roles_required("admin")
@api.arguments(NewUserSchema)
@api.response(201, UserSchema, description="Created.")
def create_user(body: dict):
    """Create an account"""
    try:
        user = users.add_user(
            body["username"], body["password"], body["role"], body["language"], body.get("phone_number"), body.get("endpoint")
        )
        db.session.commit()
    except UserFieldError as error:
        db.session.rollback()
        return field_error(error)
    except IntegrityError:
        db.session.rollback()
        return field_error(UserFieldError("username", _("this username is taken")))
    return user


def checked_changes(body: dict) -> dict:
    """Every value checked before anything changes (the rest by UserChangeSchema)."""
    changes = dict(body)
    if "phone_number" in body:
        changes["phone_number"] = users.checked_phone_number(body["phone_number"])
    if "endpoint" in body:
        changes["endpoint"] = users.checked_user_endpoint(body["endpoint"])
    return changes


def apply_changes(user: User, changes: dict) -> list[str]:
    """The sockets to close after commit."""
    now, sids = clock.now(), []
    if "role" in changes:
        sids += users.change_role(user, changes["role"], current_user, now)
    if "password" in changes:
        sids += users.reset_password(user, changes["password"], current_user)
    if {"language", "phone_number", "endpoint"} & set(changes):
        users.change_profile(
            user,
            changes.get("language", user.language),
            changes.get("phone_number", user.phone_number),
            changes.get("endpoint", user.endpoint),
            current_user,
        )
    if changes.get("active") is False and user.active:
        sids += users.deactivate(user, current_user, now)
    if changes.get("active") is True and not user.active:
        users.reactivate(user, current_user)
    return sids


@api.patch("/users/<int:user_id>", parameters=[USER_ID])
@roles_required("admin")
@api.arguments(UserChangeSchema)
@api.response(200, UserSchema, description="Changed.")
@api.refuses(404, "No such user.")
@api.refuses(409, "A rule the change breaks (your own role or account, the last active admin).")
def change_user(body: dict, user_id: int):
    """Change an account"""
    user = target_user(user_id)
    try:
        sids = apply_changes(user, checked_changes(body))
    except UserFieldError as error:
        db.session.rollback()
        return field_error(error)
    except UserChangeRefused as refusal:
        db.session.rollback()
        return refused(refusal)
    commit_and_close(sids, user.id)
    keep_own_session(user)
    return user
