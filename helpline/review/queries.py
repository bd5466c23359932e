"""The review pages' SQL: high-risk calls, follow-ups due, one call and its journal, the audit log."""

from datetime import date

from sqlalchemy import Select, func, select

from helpline.call_log import HIGH_RISK_LEVELS
from helpline.db import db
from helpline.models import AuditRecord, Call, CallEvent, User
from helpline.periods import Page, Period

CallRow = tuple[Call, str | None]
AuditRow = tuple[AuditRecord, str]


def calls_with_counselors(query: Select) -> Select:
    return query.add_columns(User.username).outerjoin(User, Call.counselor_id == User.id)


def count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def high_risk_calls(period: Period, page: Page) -> tuple[list[CallRow], int]:
    """Calls logged high or imminent risk that started in the period, newest first."""
    # started_at, not enqueued_at: every call has it, so no high-risk call can fall outside.
    query = select(Call).where(
        Call.risk_level.in_(HIGH_RISK_LEVELS), Call.started_at >= period.start_utc, Call.started_at < period.end_utc
    )
    ordered = calls_with_counselors(query).order_by(Call.started_at.desc(), Call.call_sid)
    rows = db.session.execute(ordered.limit(page.size).offset(page.offset)).all()
    return [tuple(row) for row in rows], count(query)


def follow_ups_due(today: date, page: Page) -> tuple[list[CallRow], int]:
    """Calls with a follow-up on or before today, the latest date first.

    Nothing records a follow-up as done, so every past one stays due for ever; the latest
    first keeps today's and the recently missed ones at the top instead of under old ones.
    """
    query = select(Call).where(Call.follow_up_on.isnot(None), Call.follow_up_on <= today)
    ordered = calls_with_counselors(query).order_by(Call.follow_up_on.desc(), Call.started_at.desc(), Call.call_sid)
    rows = db.session.execute(ordered.limit(page.size).offset(page.offset)).all()
    return [tuple(row) for row in rows], count(query)


def call_with_counselor(call_sid: str) -> CallRow | None:
    row = db.session.execute(calls_with_counselors(select(Call)).where(Call.call_sid == call_sid)).first()
    return tuple(row) if row else None


def call_journal(call_sid: str) -> list[CallEvent]:
    """The webhooks received about a call, in the order they came."""
    return list(
        db.session.scalars(
            select(CallEvent).where(CallEvent.call_sid == call_sid).order_by(CallEvent.received_at, CallEvent.id)
        )
    )


def user_id_named(username: str) -> int | None:
    return db.session.scalar(select(User.id).where(User.username == username))


def audit_usernames() -> list[str]:
    """Everyone who has an entry in the audit log, for the page's filter."""
    authors = select(AuditRecord.user_id).distinct()
    return list(db.session.scalars(select(User.username).where(User.id.in_(authors)).order_by(User.username)))


def audit_entries(user_id: int | None, call_sid: str | None, page: Page) -> tuple[list[AuditRow], int]:
    """The audit log, newest first, optionally of one user and of one call."""
    query = select(AuditRecord)
    if user_id is not None:
        query = query.where(AuditRecord.user_id == user_id)
    if call_sid is not None:
        query = query.where(AuditRecord.call_sid == call_sid)
    ordered = query.add_columns(User.username).join(User, AuditRecord.user_id == User.id)
    ordered = ordered.order_by(AuditRecord.at.desc(), AuditRecord.id.desc())
    rows = db.session.execute(ordered.limit(page.size).offset(page.offset)).all()
    return [tuple(row) for row in rows], count(query)
