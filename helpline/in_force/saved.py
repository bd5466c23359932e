"""Values an administrator saved in the `settings` table, as the service reads and writes them.

Readers on the callers' path (the voice webhooks) must never fail because of a setting: every
read here fails open to the files' and the environment's values. A request sees one consistent
set of values, read at most once. Settings change a few times a year and every webhook reads
them, so each process shares what it read for `SHARED_SECONDS`: a change committed through this
process is seen at once, one committed through another process within that time.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import current_app, g, has_app_context, has_request_context, request
from sqlalchemy import delete, event, select
from sqlalchemy.exc import SQLAlchemyError

from helpline import clock
from helpline.db import db
from helpline.models import Setting

log = logging.getLogger(__name__)

T = TypeVar("T")


def per_request(name: str, compute: Callable[[], T]) -> T:
    """`compute()` once per request (every time outside a request)."""
    if not has_request_context():
        return compute()
    current = request._get_current_object()
    memo = g.get("_saved_values")
    # An app context can outlive a request (a test may push one around several requests), and
    # Socket.IO events share their connection's environ: the memo belongs to one request object.
    if memo is None or memo[0] is not current:
        memo = (current, {})
        g._saved_values = memo
    values = memo[1]
    if name not in values:
        values[name] = compute()
    return values[name]


def reread() -> None:
    """Forget what this request read, so a view answers with what it just committed."""
    g.pop("_saved_values", None)


SHARED_SECONDS = 2.0


@dataclass
class SharedSettings:
    """What this process last read of the table. `generation` grows with every change committed
    here, so a read that raced a change is not kept."""

    values: dict[str, Any] | None = None
    read_at: float = 0.0
    generation: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def shared() -> SharedSettings:
    return current_app.extensions.setdefault("helpline.saved_settings", SharedSettings())


def shared_values() -> dict[str, Any] | None:
    """What this process read within `SHARED_SECONDS` and has not changed since; None if nothing."""
    kept = shared()
    if kept.values is not None and time.monotonic() - kept.read_at < SHARED_SECONDS:
        return kept.values
    return None


def snapshot() -> dict[str, Any]:
    """Every saved setting by key; {} when the database does not answer."""
    return per_request("snapshot", shared_or_read)


def shared_or_read() -> dict[str, Any]:
    values = shared_values()
    if values is not None:
        return values
    kept = shared()
    generation, started = kept.generation, time.monotonic()
    values = read_all_settings()
    if values is None:
        return {}
    with kept.lock:
        if kept.generation == generation:
            kept.values, kept.read_at = values, started
    return values


def read_all_settings() -> dict[str, Any] | None:
    """The table by key; None when the database does not answer."""
    try:
        return dict(db.session.execute(select(Setting.key, Setting.value)).all())
    except SQLAlchemyError as error:
        # Callers read settings before they write, so the rollback loses nothing of theirs.
        db.session.rollback()
        log.warning("settings unavailable (%s); using the files' and environment's values", type(error).__name__)
        return None


# Any change to the table through a session is noted on it and, once committed, makes this
# process read the table again. (A change later rolled back costs one needless read.)
CHANGED = "helpline_settings_changed"


@event.listens_for(db.session, "before_flush")
def _note_changed_settings(session, flush_context, instances) -> None:
    if any(isinstance(row, Setting) for row in (*session.new, *session.dirty, *session.deleted)):
        session.info[CHANGED] = True


@event.listens_for(db.session, "do_orm_execute")
def _note_bulk_setting_changes(state) -> None:
    # An UPDATE or DELETE statement on the table changes rows without flushing any.
    if (state.is_update or state.is_delete or state.is_insert) and any(mapper.class_ is Setting for mapper in state.all_mappers):
        state.session.info[CHANGED] = True


@event.listens_for(db.session, "after_commit")
def _forget_shared_settings(session) -> None:
    if session.info.pop(CHANGED, False) and has_app_context():
        kept = shared()
        with kept.lock:
            kept.values, kept.generation = None, kept.generation + 1


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
