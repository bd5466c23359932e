"""Tables: calls, their webhook journal, users, named counters, and the reports' rollups."""

import secrets
from datetime import date, datetime
from typing import Optional

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from helpline.clock import now
from helpline.db import UTCDateTime, db

BigId = BigInteger().with_variant(Integer, "sqlite")

ROLES = ("counselor", "supervisor", "admin")
# Who oversees the line: reviews every call, reads the reports, watches the wallboard, is alerted.
SUPERVISING_ROLES = ("supervisor", "admin")
PRESENCE_STATES = ("available", "on_call", "wrap_up", "break", "offline")


class Call(db.Model):
    """One caller's call, merged from every webhook the provider sent about it."""

    __tablename__ = "calls"

    call_sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    # The provider's last call status; a later status never yields to an earlier one.
    status: Mapped[Optional[str]] = mapped_column(String(20))
    status_rank: Mapped[int] = mapped_column(Integer, default=0)
    status_sequence: Mapped[int] = mapped_column(Integer, default=-1)

    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    enqueued_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    answered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    ended_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    wait_seconds: Mapped[Optional[int]] = mapped_column(Integer)
    duration_seconds: Mapped[Optional[int]] = mapped_column(Integer)
    queue_result: Mapped[Optional[str]] = mapped_column(String(32))
    queue_result_rank: Mapped[int] = mapped_column(Integer, default=0)
    # Each return to the queue is a new episode; the latest episode's result stands.
    queue_episode: Mapped[int] = mapped_column(Integer, default=0)
    queue_sid: Mapped[Optional[str]] = mapped_column(String(34))
    abandoned: Mapped[bool] = mapped_column(default=False)
    taken_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    talk_seconds: Mapped[Optional[int]] = mapped_column(Integer)
    # When supervisors were alerted that this danger-now caller was still waiting.
    alerted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    menu_key: Mapped[Optional[str]] = mapped_column(String(8))
    category: Mapped[Optional[str]] = mapped_column(String(64))
    priority: Mapped[Optional[str]] = mapped_column(String(16))
    priority_rank: Mapped[int] = mapped_column(Integer, default=0)
    priority_reasons: Mapped[list] = mapped_column(JSON, default=list)
    emergency: Mapped[bool] = mapped_column(default=False)
    language: Mapped[Optional[str]] = mapped_column(String(8))
    repeat_caller: Mapped[bool] = mapped_column(default=False)

    caller_hash: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    caller_encrypted: Mapped[Optional[str]] = mapped_column(Text)
    caller_masked: Mapped[Optional[str]] = mapped_column(String(32))

    # The counselor's log of the call.
    counselor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    call_type: Mapped[Optional[str]] = mapped_column(String(64))
    categories: Mapped[list] = mapped_column(JSON, default=list)
    risk_level: Mapped[Optional[str]] = mapped_column(String(16))
    outcome: Mapped[Optional[str]] = mapped_column(String(64))
    referral: Mapped[Optional[str]] = mapped_column(String(200))
    notes: Mapped[Optional[str]] = mapped_column(Text)
    follow_up_on: Mapped[Optional[date]] = mapped_column(Date)
    logged_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # From the end of the talk to the complete log (0 when logged while talking).
    wrap_up_seconds: Mapped[Optional[int]] = mapped_column(Integer)

    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    __table_args__ = (
        # The live queue: callers enqueued and not yet out of it.
        Index("ix_calls_waiting", "ended_at", "queue_result_rank", "enqueued_at"),
        Index("ix_calls_started_at", "started_at"),
        # Reports group the calls that reached the queue in a period.
        Index("ix_calls_enqueued_at", "enqueued_at"),
        Index("ix_calls_counselor_enqueued", "counselor_id", "enqueued_at"),
        Index("ix_calls_risk_level", "risk_level", "enqueued_at"),
        Index("ix_calls_follow_up_on", "follow_up_on"),
    )


class CallEvent(db.Model):
    """The append-only journal: each webhook received, once."""

    __tablename__ = "call_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    call_sid: Mapped[str] = mapped_column(String(34), index=True)
    # The same request delivered twice has the same key; see call_log.dedupe_key.
    dedupe_key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The request's parameters with the caller's number taken out.
    params: Mapped[dict] = mapped_column(JSON)


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # A counselor's phone, dialled when they take a caller; without one, their browser client.
    phone_number: Mapped[Optional[str]] = mapped_column(String(32))
    # A counselor's phone on Asterisk (PJSIP/201), originated to when they take a caller there.
    endpoint: Mapped[Optional[str]] = mapped_column(String(80))
    presence: Mapped[str] = mapped_column(String(16), default="offline")
    presence_since: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # The language of the user's pages: fa, en or tg.
    language: Mapped[str] = mapped_column(String(8), default="fa")
    # Part of what the session cookie names the user by (`get_id`): a new one ends every session
    # the user has, so a cookie copied before a logout or a password reset signs nobody in.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        self.session_token = new_session_token()

    @property
    def client_identity(self) -> str:
        return f"counselor-{self.id}"

    @property
    def is_active(self) -> bool:
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class PresenceChange(db.Model):
    """Each change of a counselor's presence: the history occupancy is computed from."""

    __tablename__ = "presence_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_presence_changes_user_changed", "user_id", "changed_at"),)


class AuditRecord(db.Model):
    """Who did what sensitive thing, when and why (revealing a caller's number, …)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    call_sid: Mapped[Optional[str]] = mapped_column(String(34), index=True)
    reason: Mapped[str] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class Setting(db.Model):
    """A setting changed by an administrator, overriding the files and the environment."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict | list | str | int | float | bool] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))


class SocketConnection(db.Model):
    """A live Socket.IO connection, so logging out can close a user's sockets in any process."""

    __tablename__ = "socket_connections"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Counter(db.Model):
    """Named counters that grow with each change, such as the live queue's version."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
