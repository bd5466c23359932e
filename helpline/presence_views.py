"""Counselors' presence over the JSON API: everyone reads it, a counselor chooses their own."""

from flask import Blueprint, abort, jsonify
from flask_login import current_user

from helpline import clock, live
from helpline.auth import json_body, roles_required
from helpline.db import db
from helpline.models import PRESENCE_STATES, ROLES
from helpline.presence import PresenceRefused, choose
from helpline.serializers import counselors_json

bp = Blueprint("presence", __name__, url_prefix="/api")


@bp.get("/presence")
@roles_required(*ROLES)
def show():
    return jsonify(counselors_json())


@bp.put("/presence")
@roles_required("counselor")
def change():
    body = json_body()
    state = body.get("state")
    if not isinstance(state, str):
        abort(400, "state: give one of " + ", ".join(PRESENCE_STATES))
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
    return jsonify(state=current_user.presence, since=current_user.presence_since.isoformat())
