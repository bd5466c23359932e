"""The review tests' calls and checks: calls made through the provider's webhooks and then
logged, a frozen clock, audit records, and no caller's number anywhere.

Fixtures (registered by conftest.py): `frozen`, `every_log`, `supervisor`."""

import logging
import re
from datetime import date, datetime, timezone

import pytest

from helpline import clock
from helpline.db import db
from helpline.models import AuditRecord, Call, User
from tests.support.calls import call_events
from tests.support.provider import new_call_sid

NUMBER = "+989127654321"
# Any of these in a page, a body or a log line would be the number in plain text.
FRAGMENTS = ("7654321", "9127654", "989127")
# 12:30 in Tehran (UTC+03:30), the default HELPLINE_UTC_OFFSET_MINUTES.
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 28)


@pytest.fixture
def frozen(monkeypatch):
    """The service's clock stopped at NOW, or at the moment given."""

    def set_time(moment: datetime = NOW) -> None:
        monkeypatch.setattr(clock, "now", lambda: moment)

    set_time()
    return set_time


def make_call(app, provider, *, caller: str = NUMBER, counselor: str | None = None, **fields) -> str:
    """A call through every webhook of its life, then the counselor's log written as `fields`."""
    call_sid = new_call_sid()
    for path, params in call_events(call_sid, caller, "bridged"):
        assert provider.post(path, params).status_code in (200, 204)
    with app.app_context():
        call = db.session.get(Call, call_sid)
        if counselor is not None:
            call.counselor_id = db.session.scalar(db.select(User.id).where(User.username == counselor))
        for name, value in fields.items():
            setattr(call, name, value)
        db.session.commit()
    return call_sid


def logged_in(auth, username: str, role: str, language: str = "en") -> None:
    auth.create(username, role)
    with auth.app.app_context():
        db.session.scalar(db.select(User).where(User.username == username)).language = language
        db.session.commit()
    assert auth.login(username).status_code == 200


def audit_records(app) -> list[AuditRecord]:
    with app.app_context():
        records = list(db.session.scalars(db.select(AuditRecord).order_by(AuditRecord.id)))
        db.session.expunge_all()
        return records


def assert_no_number(text: str) -> None:
    for fragment in FRAGMENTS:
        assert fragment not in text


def call_sids_in(table_id: str, page: bytes) -> list[str]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>'.encode(), page, re.DOTALL)
    return re.findall(r"/calls/(CA[0-9a-f]{32})", table.group(0).decode()) if table else []


@pytest.fixture
def every_log(caplog):
    """caplog at DEBUG with every logger switched on. The migrations' logging.config.fileConfig
    disables every logger that exists when it runs (all of helpline's), so without this a
    check that something is not in the logs would pass on empty logs."""
    loggers = [item for item in logging.Logger.manager.loggerDict.values() if isinstance(item, logging.Logger)]
    were_disabled = [item.disabled for item in loggers]
    for item in loggers:
        item.disabled = False
    caplog.set_level(logging.DEBUG)
    yield caplog
    for item, disabled in zip(loggers, were_disabled, strict=True):
        item.disabled = disabled


@pytest.fixture
def supervisor(auth):
    logged_in(auth, "supervisor1", "supervisor")
