"""Counselors' presence over the JSON API: everyone reads it, a counselor chooses their own."""

from flask import abort
from flask_login import current_user
from marshmallow import Schema, fields
from marshmallow.validate import OneOf

from helpline import clock, live
from helpline.auth import roles_required
from helpline.db import db
from helpline.models import PRESENCE_STATES, ROLES
from helpline.openapi.blueprint import ApiBlueprint
from helpline.presence import PresenceRefused, choose
from helpline.serializers import PresenceListSchema, PresenceSchema, active_counselors

bp = ApiBlueprint("presence", __name__, url_prefix="/api")


class StateSchema(Schema):
    state = fields.String(
        required=True, validate=OneOf(PRESENCE_STATES, error="give one of " + ", ".join(PRESENCE_STATES)),
        metadata={"description": "`on_call` is the service's to set."},
    )


@bp.get("/presence")
@roles_required(*ROLES)
@bp.response(200, PresenceListSchema, description="Counselors by name.")
def show():
    """Every active counselor's presence"""
    return active_counselors()


@bp.put("/presence")
@roles_required("counselor")
@bp.arguments(StateSchema)
@bp.response(200, PresenceSchema, description="The state.")
@bp.refuses(409, "A state the counselor cannot choose now (on a call, or a log still to complete).")
def change(body: dict):
    """Set the counselor's own state (`on_call` is the service's to set)"""
    state = body["state"]
    try:
        choose(current_user, state, clock.now())
    except ValueError as reason:
        abort(400, f"state: {reason}")
    except PresenceRefused as reason:
        abort(409, str(reason))
    db.session.commit()
    live.push_presence()
    live.push_me(current_user.id)
    # The queue's counts include the counselors available.
    live.push_queue()
    return current_user
