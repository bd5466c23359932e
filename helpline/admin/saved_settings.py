"""Values an administrator saved in the `settings` table, as the service reads and writes them.

Readers on the callers' path (the voice webhooks) must never fail because of a setting: every
read here fails open to the files' and the environment's values. The table is read at most once
per request, so a database that does not answer costs a webhook one timeout, not one per value,
and a request sees one consistent set of values.
"""

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, has_request_context, request
from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError

from helpline import clock, settings
from helpline.db import db
from helpline.models import Setting

log = logging.getLogger(__name__)

T = TypeVar("T")


def per_request(name: str, compute: Callable[[], T]) -> T:
    """`compute()` once per request (every time outside a request)."""
    if not has_request_context():
        return compute()
    current = request._get_current_object()
    memo = g.get("_admin_saved_settings")
    # An app context can outlive a request (a test may push one around several requests), and
    # Socket.IO events share their connection's environ: the memo belongs to one request object.
    if memo is None or memo[0] is not current:
        memo = (current, {})
        g._admin_saved_settings = memo
    values = memo[1]
    if name not in values:
        values[name] = compute()
    return values[name]


def reread() -> None:
    """Forget what this request read, so a view answers with what it just committed."""
    g.pop("_admin_saved_settings", None)


def snapshot() -> dict[str, Any]:
    """Every saved setting by key; {} when the database does not answer."""
    return per_request("snapshot", read_all_settings)


def read_all_settings() -> dict[str, Any]:
    try:
        return dict(db.session.execute(select(Setting.key, Setting.value)).all())
    except SQLAlchemyError as error:
        # Callers read settings before they write, so the rollback loses nothing of theirs.
        db.session.rollback()
        log.warning("settings unavailable (%s); using the files' and environment's values", type(error).__name__)
        return {}


def threshold(key: str) -> int | float:
    """A threshold in force: the admin's value while it is within its limits, else the default."""
    saved = snapshot().get(key)
    if saved is None:
        return settings.default(key)
    try:
        return settings.check(key, saved)
    except ValueError:
        log.warning("the saved %s is outside its limits; using the default", key)
        return settings.default(key)


def locked_value(key: str) -> Any | None:
    """The saved value, locked to the end of the transaction, so two admins' edits of one
    value queue up rather than overwrite each other."""
    setting = db.session.get(Setting, key, with_for_update=True, populate_existing=True)
    return None if setting is None else setting.value


def store(key: str, value: Any, user_id: int) -> None:
    """Save a value (the caller commits)."""
    setting = db.session.get(Setting, key)
    if setting is None:
        setting = Setting(key=key)
        db.session.add(setting)
    setting.value, setting.updated_at, setting.updated_by = value, clock.now(), user_id


def forget(key: str) -> bool:
    """Delete a saved value, back to the default (the caller commits); whether there was one."""
    return db.session.execute(delete(Setting).where(Setting.key == key)).rowcount > 0
