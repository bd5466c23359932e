"""Retention: old calls are anonymised, older ones purged (`flask --app wsgi retention`).

A call is old when it started more than the configured number of days ago; a call that started
exactly that long ago is kept as it is. Anonymising removes everything that could identify the
caller or the people they spoke of, and keeps what reports read (times, waits, category,
priority, risk, outcome, the counselor); purging deletes the call and every row about it.
Reveals of a number stay in the audit log after either (who, when, which call), without the
reason's free text, which may name people.

The command works in batches, each its own transaction (see helpline/cli.py), so a long run
never holds the database and an interrupted one has done exactly what its audit record says.
Nothing here commits.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, update

from helpline.call_log import JOURNALED_PARAMS
from helpline.db import db
from helpline.models import AuditRecord, Call, CallEvent

ANONYMISED = "anonymised"
ACTION = "retention"
REDACTED_REASON = "[removed by retention]"

# Every table with rows about a call, by its CallSid column: purging a call deletes them.
# A new table with rows per call is one more line here.
CALL_ROWS = (
    CallEvent.call_sid,
)

# What anonymising keeps of each journaled webhook: what the journal keeps now. A webhook journaled
# before the journal kept only these may hold where the caller is (FromCity, CallerZip, …), which
# anonymising drops.
KEPT_PARAMS = JOURNALED_PARAMS

# The caller's identity, and the log's free text that may name the caller or others.
ANONYMOUS_VALUES = {
    "caller_hash": None,
    "caller_encrypted": None,
    "caller_masked": ANONYMISED,
    "notes": None,
    "referral": None,
}


@dataclass(frozen=True)
class Cutoffs:
    """Calls that started before `anonymise_before` are anonymised, before `purge_before` purged."""

    anonymise_before: datetime | None
    purge_before: datetime | None

    @classmethod
    def of(cls, now: datetime, anonymise_days: int | None, purge_days: int | None) -> "Cutoffs":
        return cls(
            now - timedelta(days=anonymise_days) if anonymise_days else None,
            now - timedelta(days=purge_days) if purge_days else None,
        )


def check_days(anonymise_days: int | None, purge_days: int | None) -> None:
    """ValueError naming what is wrong with the ages asked for."""
    if anonymise_days is None and purge_days is None:
        raise ValueError(
            "nothing to do: give --anonymise-days or --purge-days "
            "(or set RETENTION_ANONYMISE_DAYS or RETENTION_PURGE_DAYS)"
        )
    for name, days in (("anonymise", anonymise_days), ("purge", purge_days)):
        if days is not None and days < 1:
            raise ValueError(f"--{name}-days must be at least 1, not {days}")
    if anonymise_days is not None and purge_days is not None and purge_days <= anonymise_days:
        raise ValueError(
            f"--purge-days ({purge_days}) must be more than --anonymise-days ({anonymise_days}): "
            "calls are anonymised first and purged later"
        )


def to_purge(cutoffs: Cutoffs):
    return Call.started_at < cutoffs.purge_before


def to_anonymise(cutoffs: Cutoffs):
    return and_(
        Call.started_at < cutoffs.anonymise_before,
        or_(Call.caller_masked.is_(None), Call.caller_masked != ANONYMISED),
    )


def count(condition) -> int:
    return db.session.scalar(select(func.count()).select_from(Call).where(condition)) or 0


def batches(condition, size: int) -> Iterator[list[str]]:
    """CallSids matching `condition`, oldest first, `size` at a time. The caller commits between
    batches; the next batch starts after the last one seen, so done rows are not scanned again."""
    last: tuple[datetime, str] | None = None
    while True:
        query = select(Call.started_at, Call.call_sid).where(condition)
        if last is not None:
            query = query.where(
                or_(Call.started_at > last[0], and_(Call.started_at == last[0], Call.call_sid > last[1]))
            )
        rows = db.session.execute(query.order_by(Call.started_at, Call.call_sid).limit(size)).all()
        if not rows:
            return
        yield [call_sid for _, call_sid in rows]
        last = tuple(rows[-1])


def redact_audit(call_sids: list[str]) -> None:
    db.session.execute(
        update(AuditRecord)
        .where(AuditRecord.call_sid.in_(call_sids), AuditRecord.reason != REDACTED_REASON)
        .values(reason=REDACTED_REASON)
    )


def anonymise(call_sids: list[str]) -> None:
    db.session.execute(update(Call).where(Call.call_sid.in_(call_sids)).values(**ANONYMOUS_VALUES))
    events = db.session.execute(
        select(CallEvent.id, CallEvent.dedupe_key, CallEvent.params).where(CallEvent.call_sid.in_(call_sids))
    ).all()
    # The dedupe key is a keyed hash of the request, number included: with the key, a guessed
    # number could be checked against it. Retries are long over; a unique stand-in will do.
    stripped = [
        {
            "id": event_id,
            "dedupe_key": f"{ANONYMISED}-{event_id}",
            "params": {name: value for name, value in params.items() if name in KEPT_PARAMS},
        }
        for event_id, dedupe_key, params in events
        if dedupe_key != f"{ANONYMISED}-{event_id}" or set(params) - KEPT_PARAMS
    ]
    if stripped:
        db.session.execute(update(CallEvent), stripped)
    redact_audit(call_sids)


def purge(call_sids: list[str]) -> None:
    for call_sid_column in CALL_ROWS:
        db.session.execute(delete(call_sid_column.table).where(call_sid_column.in_(call_sids)))
    redact_audit(call_sids)
    db.session.execute(delete(Call).where(Call.call_sid.in_(call_sids)))


def start_record(operator_id: int, now: datetime, cutoffs: Cutoffs, anonymise_days, purge_days) -> AuditRecord:
    """The run's audit record, added to the session; kept up to date batch by batch."""
    asked = [f"anonymise calls started over {anonymise_days} days ago"] if anonymise_days else []
    asked += [f"purge calls started over {purge_days} days ago"] if purge_days else []
    record = AuditRecord(
        at=now,
        user_id=operator_id,
        action=ACTION,
        call_sid=None,
        reason="retention: " + ", ".join(asked),
        details={
            "anonymise_before": cutoffs.anonymise_before.isoformat() if cutoffs.anonymise_before else None,
            "purge_before": cutoffs.purge_before.isoformat() if cutoffs.purge_before else None,
            "anonymised": 0,
            "purged": 0,
            "finished": False,
        },
    )
    db.session.add(record)
    return record


def add_to_record(record: AuditRecord, done: str, how_many: int) -> None:
    # A new dict, so that the JSON column is seen as changed.
    record.details = {**record.details, done: record.details[done] + how_many}


def finish_record(record: AuditRecord) -> None:
    record.details = {**record.details, "finished": True}
