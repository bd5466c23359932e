"""Accounts as an administrator manages them: create, deactivate and reactivate, reset a
password, change a role, a language, a phone number or an Asterisk endpoint.

The service keeps at least one active admin: an admin never deactivates or demotes themself, and
changes to other accounts are made only by an admin who is still active (the active admins are
locked while checking, so two admins cannot remove each other at the same moment). The
functions change the session; the views commit, then close the sockets the functions name.
"""

import re
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from helpline import live
from helpline.auth import create_user
from helpline.db import db
from helpline.models import ROLES, User
from helpline.presence import go_offline, unlogged_calls
from helpline.taxonomy import LANGUAGES
from helpline.telephony.asterisk.endpoints import checked_endpoint
from helpline.usernames import Problem, UsernameError

MIN_PASSWORD = 10
MAX_PASSWORD = 256
# The counselor's phone is dialled by the provider: an E.164 number.
PHONE_NUMBER = re.compile(r"\+[1-9][0-9]{6,14}\Z")



class UserFieldError(ValueError):
    """A bad value; `field` names it, `reason` is translated."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


class UserChangeRefused(Exception):
    """A change the rules do not allow; `str()` says why, translated."""


def users_in_order() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.username)))


def checked_role(role: object) -> str:
    if role not in ROLES:
        raise UserFieldError("role", _("must be one of %(roles)s", roles=", ".join(ROLES)))
    return role


def checked_language(language: object) -> str:
    if language not in LANGUAGES:
        raise UserFieldError("language", _("must be one of %(languages)s", languages=", ".join(LANGUAGES)))
    return language


def checked_phone_number(number: object) -> str | None:
    """An E.164 number, or None for no phone (the counselor answers in the browser)."""
    if number is None or (isinstance(number, str) and not number.strip()):
        return None
    if not isinstance(number, str) or not PHONE_NUMBER.match(number.strip()):
        raise UserFieldError("phone_number", _("must be an international number such as +989121234567"))
    return number.strip()


def checked_user_endpoint(value: object) -> str | None:
    """An Asterisk endpoint (PJSIP/201), or None for none."""
    try:
        return checked_endpoint(value)
    except ValueError as reason:
        raise UserFieldError("endpoint", str(reason)) from None


def checked_password(password: object) -> str:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise UserFieldError(
            "password", _("must have %(least)d to %(most)d characters", least=MIN_PASSWORD, most=MAX_PASSWORD)
        )
    return password


def add_user(
    username: object, password: object, role: object, language: object, phone_number: object, endpoint: object = None
) -> User:
    """A new account (not yet committed)."""
    if not isinstance(username, str):
        raise UserFieldError("username", _("must be text"))
    role, language = checked_role(role), checked_language(language)
    password, phone_number = checked_password(password), checked_phone_number(phone_number)
    endpoint = checked_user_endpoint(endpoint)
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserFieldError("username", _("this username is taken"))
    try:
        user = create_user(username, password, role)
    except UsernameError as refused:
        raise UserFieldError("username", username_reason(refused)) from None
    except ValueError:
        raise UserFieldError("username", _("must be 1 to 64 printable characters without spaces around them")) from None
    user.language, user.phone_number, user.endpoint = language, phone_number, endpoint
    return user


def username_reason(refused: UsernameError) -> str:
    if refused.problem is Problem.FORM:
        return _("must write each letter in its usual form (no full-width, styled or compatibility characters)")
    if refused.problem is Problem.MIXED_SCRIPTS:
        return _("must be written in one script (Persian, Cyrillic or Latin letters, not a mix)")
    if refused.problem is Problem.LOOKS_LIKE:
        return _("looks like the existing username %(username)s", username=refused.other)
    return _("must be 1 to 64 printable characters without spaces around them")


def require_active_admin(actor: User) -> None:
    """The acting admin is still an active admin, with every active admin locked until commit."""
    admins = db.session.scalars(
        select(User.id).where(User.role == "admin", User.active.is_(True)).with_for_update()
    ).all()
    if actor.id not in admins:
        raise UserChangeRefused(_("Only an active administrator can change accounts."))


def deactivate(target: User, actor: User, now: datetime) -> list[str]:
    """The account can no longer log in and goes offline; the sockets to close after commit."""
    if target.id == actor.id:
        raise UserChangeRefused(_("You cannot deactivate your own account; another administrator can."))
    require_active_admin(actor)
    target.active = False
    target.end_sessions()
    go_offline(target.id, now)
    return live.connections_of(target.id)


def reactivate(target: User, actor: User) -> None:
    require_active_admin(actor)
    target.active = True


def change_role(target: User, role: str, actor: User, now: datetime) -> list[str]:
    """A new role; the sockets to close after commit, so they reconnect in the new role's rooms."""
    if target.role == role:
        return []
    if target.id == actor.id:
        raise UserChangeRefused(_("You cannot change your own role; another administrator can."))
    require_active_admin(actor)
    if target.role == "counselor" and unlogged_calls(target.id):
        raise UserChangeRefused(
            _("%(username)s still has calls to log; change the role once their logs are complete.", username=target.username)
        )
    target.role = role
    # Presence is a counselor's: whoever leaves or joins the role starts offline.
    go_offline(target.id, now)
    return live.connections_of(target.id)


def reset_password(target: User, password: str, actor: User) -> list[str]:
    """A new password; the sockets to close after commit (opened under the old one)."""
    require_active_admin(actor)
    target.set_password(password)
    # Whoever was logged in as the user, with the old password, is no longer: nor are the
    # dashboards they opened with it, which would otherwise go on receiving the queue.
    target.end_sessions()
    return live.connections_of(target.id)


def change_profile(target: User, language: str, phone_number: str | None, endpoint: str | None, actor: User) -> None:
    require_active_admin(actor)
    target.language, target.phone_number, target.endpoint = language, phone_number, endpoint
