"""Users and sessions: Flask-Login, the JSON login, and role checks."""

import functools

from flask import Blueprint, abort, jsonify, request
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from sqlalchemy import select

from helpline.db import db
from helpline.models import ROLES, User

bp = Blueprint("auth", __name__)

login_manager = LoginManager()


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


@login_manager.unauthorized_handler
def unauthorized():
    abort(401, "log in first")


def roles_required(*roles: str):
    """Only logged-in users with one of these roles (401 anonymous, 403 other roles)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {unknown}")

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if current_user.role not in roles:
                abort(403, f"this needs the role {' or '.join(roles)}")
            return view(*args, **kwargs)

        return guarded

    return decorator


def create_user(username: str, password: str, role: str) -> User:
    """A new user (not yet committed); ValueError with the reason for bad values."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not username or len(username) > 64 or not username.isprintable() or username.strip() != username:
        raise ValueError("username must be 1 to 64 printable characters without surrounding spaces")
    if len(password) < 10:
        raise ValueError("password must have at least 10 characters")
    if db.session.scalar(select(User).where(User.username == username)) is not None:
        raise ValueError(f"user {username} already exists")
    user = User(username=username, role=role)
    user.set_password(password)
    db.session.add(user)
    return user


@bp.post("/api/login")
def login():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("username"), str) or not isinstance(body.get("password"), str):
        abort(400, "send JSON with username and password")
    user = db.session.scalar(select(User).where(User.username == body["username"]))
    if user is None or not user.active or not user.check_password(body["password"]):
        abort(401, "wrong username or password")
    login_user(user)
    return jsonify(username=user.username, role=user.role)


@bp.post("/api/logout")
@login_required
def logout():
    logout_user()
    return jsonify(logged_out=True)
