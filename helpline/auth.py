"""Users and sessions: Flask-Login, role checks, credentials, the rate limiter. The login and
logout views are `helpline.login`'s."""

import functools
import hmac
import secrets
from urllib.parse import urlsplit

from flask import abort, redirect, request, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user, login_required
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from helpline import usernames
from helpline.db import db
from helpline.models import ROLES, User
from helpline.request_checks import require_script_request

login_manager = LoginManager()
login_manager.login_view = "auth.login_page"
limiter = Limiter(key_func=get_remote_address, default_limits=[])

# users.id is an INTEGER column, 32 bits on PostgreSQL: a larger number names nobody.
MAX_USER_ID = 2**31 - 1


# The views with limits (logging in, revealing a number). Every other request skips the
# limiter altogether: the provider's webhooks come from one provider for every caller and are
# signature-checked instead, and while the limiter's Redis is down or hung only these wait
# (a second at most) to learn whether it is back, not a health check or a dashboard's request.
LIMITED_ENDPOINTS = {"auth.login", "auth.login_page", "review.reveal_page", "review_api.reveal_json"}


@limiter.request_filter
def without_limits() -> bool:
    return request.endpoint not in LIMITED_ENDPOINTS


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user a session names (`User.get_id`), while its token is the user's current one."""
    user_id, _, token = session_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit()) or int(user_id) > MAX_USER_ID or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    if request.path.startswith("/api/"):
        abort(401, "log in first")
    return redirect(url_for("auth.login_page", next=request.path))


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
            require_script_request()
            return view(*args, **kwargs)

        # The OpenAPI document's roles are checked against this (tests/test_openapi.py).
        guarded.required_roles = roles
        return guarded

    return decorator


def json_body() -> dict:
    """The request's JSON object, or 400."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "send a JSON object (Content-Type: application/json)")
    return body


def create_user(username: str, password: str, role: str) -> User:
    """A new user (not yet committed); ValueError with the reason for bad values
    (`usernames.UsernameError` for the name)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    usernames.check(username)
    if len(password) < 10:
        raise ValueError("password must have at least 10 characters")
    if db.session.scalar(select(User).where(User.username == username)) is not None:
        raise ValueError(f"user {username} already exists")
    usernames.check(username, db.session.scalars(select(User.username)))
    user = User(username=username, role=role)
    user.set_password(password)
    db.session.add(user)
    return user


@functools.cache
def dummy_password_hash() -> str:
    """A hash of no one's password, made as users' are: checked when there is no such user."""
    return generate_password_hash(secrets.token_urlsafe(32))


def authenticate(username: str, password: str) -> User | None:
    """The user with these credentials, or None. A password is checked against a hash every time,
    a dummy one for a name nobody has, so a wrong name takes as long as a wrong password and the
    time of an answer does not tell which names exist (nor which accounts are deactivated)."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        check_password_hash(dummy_password_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def same_site_path(target: str | None) -> str | None:
    """A path on this site to go to, or None: never another host (no open redirect)."""
    # Browsers drop tabs and newlines from URLs ("/\t/evil.example" is "//evil.example") and read
    # a backslash as a slash; a newline in a Location header is a 500. A path with any of them,
    # a space or any other character that is not printable, is refused.
    if not target or not target.isprintable() or any(character.isspace() or character == "\\" for character in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return target


def safe_next(target: str | None) -> str:
    """Where to go after logging in: the path asked for if it is this site's, else the dashboard."""
    return same_site_path(target) or url_for("pages.dashboard")
