"""Pages for accounts (/admin/users), and the end of a deactivated user's session."""

from flask import Response, abort, after_this_request, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from wtforms import PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from helpline import clock, live, words
from helpline.admin import users
from helpline.admin.blueprints import pages
from helpline.admin.users import UserChangeRefused, UserFieldError
from helpline.auth import MAX_USER_ID, roles_required
from helpline.db import db
from helpline.models import ROLES, User
from helpline.taxonomy import LANGUAGES

ROLE_CHOICES = [SelectChoice(role, words.ROLES[role]) for role in ROLES]
LANGUAGE_CHOICES = [SelectChoice(language, words.LANGUAGES[language]) for language in LANGUAGES]
PASSWORD_LENGTH = Length(min=users.MIN_PASSWORD, max=users.MAX_PASSWORD)
SAME_PASSWORD = _l("The two passwords differ.")


class NewUserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    language = SelectField(_l("Language of their pages"), choices=LANGUAGE_CHOICES)
    phone_number = StringField(_l("Phone number (optional; counselors without one answer in the browser)"))
    endpoint = StringField(_l("Asterisk endpoint (optional)"))
    password = PasswordField(_l("Password (at least 10 characters)"), validators=[DataRequired(), PASSWORD_LENGTH])
    password_again = PasswordField(_l("Password again"), validators=[DataRequired(), EqualTo("password", SAME_PASSWORD)])
    submit = SubmitField(_l("Create the account"))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    submit_role = SubmitField(_l("Change the role"))


class PasswordForm(FlaskForm):
    new_password = PasswordField(_l("New password (at least 10 characters)"), validators=[DataRequired(), PASSWORD_LENGTH])
    new_password_again = PasswordField(
        _l("New password again"), validators=[DataRequired(), EqualTo("new_password", SAME_PASSWORD)]
    )
    submit_password = SubmitField(_l("Set the password"))


class ProfileForm(FlaskForm):
    profile_language = SelectField(_l("Language of their pages"), choices=LANGUAGE_CHOICES)
    profile_phone_number = StringField(_l("Phone number (optional)"))
    profile_endpoint = StringField(_l("Asterisk endpoint (optional)"))
    submit_profile = SubmitField(_l("Save"))


class ConfirmForm(FlaskForm):
    """Only the CSRF token: for the (de)activate buttons."""


@pages.before_app_request
def end_deactivated_session() -> None:
    """A deactivated user's session ends for good at their next request.

    Flask-Login already treats an inactive user as anonymous, but would take the same session
    back if the account were reactivated (after a stolen laptop, say): they must log in again."""
    if "_user_id" not in session:
        return
    try:
        user = current_user._get_current_object()
        if isinstance(user, User) and not user.active:
            logout_user()
    except SQLAlchemyError:
        # The view itself will find the database down and answer for it.
        db.session.rollback()


def target_user(user_id: int) -> User:
    # An id past the column's range is no user (the database would refuse the query).
    user = db.session.get(User, user_id) if user_id <= MAX_USER_ID else None
    if user is None:
        abort(404, _("no such user"))
    return user


def commit_and_close(sids: list[str], user_id: int) -> None:
    db.session.commit()
    if sids and user_id == current_user.id:
        # An admin's own sockets (after setting their own password) are closed without being
        # told they are logged out: they reconnect, and only this session's are let back in.
        # Closed once the response, with this session's new cookie, has gone: closed before,
        # a page of theirs would ask who it is with the old cookie and be sent to log in.
        after_this_request(lambda response: close_on_sent(response, sids, user_id))
    elif sids:
        live.disconnect(sids, user_id)
    live.push_presence()


def close_on_sent(response: Response, sids: list[str], user_id: int) -> Response:
    response.call_on_close(lambda: live.disconnect(sids, user_id, logged_out=False))
    return response


def keep_own_session(user: User) -> None:
    """After a change that ended the user's sessions (a new password): when they made it
    themselves, this session goes on under the new token while their others have ended."""
    if user.id == current_user.id:
        login_user(user)


def render_user(user: User, status: int = 200, refusal: str | None = None, **forms):
    forms = {
        "role_form": RoleForm(formdata=None, role=user.role),
        "password_form": PasswordForm(formdata=None),
        "profile_form": ProfileForm(
            formdata=None, profile_language=user.language, profile_phone_number=user.phone_number or "",
            profile_endpoint=user.endpoint or "",
        ),
        "confirm_form": ConfirmForm(formdata=None),
        **forms,
    }
    return render_template(
        "admin/user.html", user=user, refusal=refusal, role_titles=words.ROLES, language_titles=words.LANGUAGES, **forms
    ), status


def new_user_from(form: NewUserForm) -> User | None:
    """The account the form asks for (not committed); None, with the reason on its field."""
    try:
        return users.add_user(
            form.username.data, form.password.data, form.role.data, form.language.data, form.phone_number.data,
            form.endpoint.data,
        )
    except UserFieldError as error:
        getattr(form, error.field).errors.append(error.reason)
        return None


def render_users(form: NewUserForm, status: int = 200):
    return render_template(
        "admin/users.html", form=form, users=users.users_in_order(), role_titles=words.ROLES,
        language_titles=words.LANGUAGES,
    ), status


# Pages.


@pages.route("/users", methods=["GET", "POST"])
@roles_required("admin")
def users_page():
    form = NewUserForm()
    if not form.is_submitted():
        return render_users(form)
    user = new_user_from(form) if form.validate() else None
    if user is None:
        return render_users(form, 400)
    try:
        db.session.commit()
    except IntegrityError:
        # The same username, created by another admin at the same moment.
        db.session.rollback()
        form.username.errors.append(_("this username is taken"))
        return render_users(form, 400)
    flash(_("Account %(username)s created.", username=user.username), "ok")
    return redirect(url_for("admin.users_page"))


@pages.get("/users/<int:user_id>")
@roles_required("admin")
def user_page(user_id: int):
    return render_user(target_user(user_id))


@pages.post("/users/<int:user_id>/deactivate")
@roles_required("admin")
def deactivate_page(user_id: int):
    user = target_user(user_id)
    if not ConfirmForm().validate():
        return render_user(user, 400)
    try:
        sids = users.deactivate(user, current_user, clock.now())
    except UserChangeRefused as refusal:
        db.session.rollback()
        return render_user(user, 409, str(refusal))
    commit_and_close(sids, user.id)
    flash(_("%(username)s can no longer log in.", username=user.username), "ok")
    return redirect(url_for("admin.user_page", user_id=user.id))


@pages.post("/users/<int:user_id>/reactivate")
@roles_required("admin")
def reactivate_page(user_id: int):
    user = target_user(user_id)
    if not ConfirmForm().validate():
        return render_user(user, 400)
    try:
        users.reactivate(user, current_user)
    except UserChangeRefused as refusal:
        db.session.rollback()
        return render_user(user, 409, str(refusal))
    # Presence lists active counselors only: the dashboards see them again.
    commit_and_close([], user.id)
    flash(_("%(username)s can log in again.", username=user.username), "ok")
    return redirect(url_for("admin.user_page", user_id=user.id))


@pages.post("/users/<int:user_id>/role")
@roles_required("admin")
def role_page(user_id: int):
    user, form = target_user(user_id), RoleForm()
    if not form.validate():
        return render_user(user, 400, role_form=form)
    try:
        sids = users.change_role(user, form.role.data, current_user, clock.now())
    except UserChangeRefused as refusal:
        db.session.rollback()
        return render_user(user, 409, str(refusal), role_form=form)
    commit_and_close(sids, user.id)
    flash(_("%(username)s is now: %(role)s.", username=user.username, role=words.ROLES[user.role]), "ok")
    return redirect(url_for("admin.user_page", user_id=user.id))


@pages.post("/users/<int:user_id>/password")
@roles_required("admin")
def password_page(user_id: int):
    user, form = target_user(user_id), PasswordForm()
    if not form.validate():
        return render_user(user, 400, password_form=form)
    try:
        sids = users.reset_password(user, form.new_password.data, current_user)
    except UserChangeRefused as refusal:
        db.session.rollback()
        return render_user(user, 409, str(refusal))
    commit_and_close(sids, user.id)
    keep_own_session(user)
    flash(_("The password of %(username)s is set.", username=user.username), "ok")
    return redirect(url_for("admin.user_page", user_id=user.id))


@pages.post("/users/<int:user_id>/profile")
@roles_required("admin")
def profile_page(user_id: int):
    user, form = target_user(user_id), ProfileForm()
    if not form.validate():
        return render_user(user, 400, profile_form=form)
    try:
        phone_number = users.checked_phone_number(form.profile_phone_number.data)
        endpoint = users.checked_user_endpoint(form.profile_endpoint.data)
        users.change_profile(user, form.profile_language.data, phone_number, endpoint, current_user)
    except UserFieldError as error:
        getattr(form, f"profile_{error.field}").errors.append(error.reason)
        return render_user(user, 400, profile_form=form)
    except UserChangeRefused as refusal:
        db.session.rollback()
        return render_user(user, 409, str(refusal), profile_form=form)
    db.session.commit()
    flash(_("Saved."), "ok")
    return redirect(url_for("admin.user_page", user_id=user.id))
