"""Logging in and out: the login page and JSON login with their limits, and logging out, which
ends every session of the user and closes their sockets."""

import hashlib

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from marshmallow import Schema, fields
from marshmallow.validate import OneOf
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from helpline import clock, live, session_lifetime
from helpline.auth import authenticate, limiter, roles_required, safe_next
from helpline.db import db
from helpline.models import ROLES
from helpline.openapi.blueprint import ApiBlueprint
from helpline.presence import go_offline

# Named "auth" as the views were first: their endpoints (`auth.login_page`) are named in links
# and in the limiter's list.
bp = ApiBlueprint("auth", __name__)

LOGIN_LIMIT = "10 per minute"
# Failed logins to one account, from any number of addresses: a guesser spread over many
# addresses gets 20 tries an hour at one password, and a user who mistypes is not locked out.
ACCOUNT_LOGIN_LIMIT = "20 per hour"


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    submit = SubmitField("Log in")


def account_key() -> str:
    """The per-account limit's key: the name tried (whether or not anyone has it), hashed so the
    limiter's storage holds no one's name."""
    body = request.get_json(silent=True) if request.is_json else None
    username = body.get("username") if isinstance(body, dict) else request.form.get("username")
    name = username if isinstance(username, str) else ""
    return "login-account:" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()


def failed_login(response) -> bool:
    """A login refused for its credentials: the API's 401, or the page's form shown again (a
    login that worked redirects). Logins that work, and refusals for other reasons, do not count."""
    if request.endpoint == "auth.login":
        return response.status_code == 401
    return request.method == "POST" and response.status_code == 200


# One count for an account across the JSON login and the page.
account_login_limit = limiter.shared_limit(
    ACCOUNT_LOGIN_LIMIT, scope="login-account", key_func=account_key, deduct_when=failed_login, methods=["POST"]
)


class CredentialsSchema(Schema):
    username = fields.String(required=True, error_messages={"required": "send JSON with username and password"})
    password = fields.String(required=True, error_messages={"required": "send JSON with username and password"})

    class Meta:
        # Other fields are left alone, as a login form's are.
        unknown = "exclude"


class LoggedInSchema(Schema):
    username = fields.String(required=True)
    role = fields.String(required=True, validate=OneOf(ROLES))


class LoggedOutSchema(Schema):
    logged_out = fields.Boolean(required=True, metadata={"const": True})


def end_session() -> None:
    """Log out, go offline, and close every socket of this user, in any process. Every session
    of the user ends, this one's cookie included, wherever a copy of it is."""
    user = current_user._get_current_object()
    user_id = user.id
    logout_user()
    user.end_sessions()
    go_offline(user_id, clock.now())
    sids = live.connections_of(user_id)
    db.session.commit()
    live.disconnect(sids, user_id)
    live.push_presence()


@bp.post("/api/login")
@limiter.limit(LOGIN_LIMIT)
@account_login_limit
@bp.arguments(CredentialsSchema)
@bp.response(200, LoggedInSchema, description="Logged in.")
@bp.refuses(401, "Wrong username or password, or a deactivated account.")
@bp.refuses(429, "Too many attempts from this address (10 a minute), or failed ones to this account (20 an hour).")
def login(credentials: dict):
    """Log in: the answer sets the session cookie"""
    user = authenticate(credentials["username"], credentials["password"])
    if user is None:
        abort(401, "wrong username or password")
    login_user(user)
    session_lifetime.started(session, clock.now())
    return user


@bp.post("/api/logout")
@roles_required(*ROLES)
@bp.response(200, LoggedOutSchema, description="Logged out.")
def logout():
    """Log out: offline, and every socket of the user closed"""
    end_session()
    return {"logged_out": True}


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
@account_login_limit
def login_page():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            login_user(user)
            session_lifetime.started(session, clock.now())
            return redirect(safe_next(request.args.get("next")))
        flash(_("Wrong username or password."), "error")
    return render_template("login.html", form=form)


@bp.post("/logout")
@login_required
def logout_page():
    end_session()
    return redirect(url_for("auth.login_page"))


