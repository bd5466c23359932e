"""The call log: each webhook journaled once, and merged into one record per CallSid.

Recording is idempotent and order-independent. The journal's unique `dedupe_key` makes a
retried or duplicated webhook a no-op; every column of the call record merges by a rule
that gives the same result whatever order the events arrive in (earliest time, largest
wait, highest-ranked status or queue result; `call_merge`), applied in one INSERT … ON
CONFLICT statement so it holds under concurrent requests on SQLite and PostgreSQL alike.
"""

import functools
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.dialects import postgresql

from helpline.call_merge import ANSWERED_DIAL, QUEUE_RESULT_RANKS, STATUS_RANKS, TERMINAL_STATUSES, answer_time, is_abandoned, merge_rules
from helpline.caller_privacy import ProtectedNumber
from helpline.db import db, dialect_name, insert
from helpline.models import Call, CallEvent
from helpline.taxonomy import HIGH_RISK_LEVELS
from helpline.triage import CallerHistory, MenuOutcome, triage

# The provider's parameters the journal (and the spool) keeps: those the call record is merged
# from and the provider's bookkeeping. Nothing else: the provider sends the caller's number and
# name, where the number is registered (FromCity, FromState, FromZip, FromCountry, the same as
# Caller…, and To… for the line), tokens that carry the number (StirPassportToken) and may add
# more at any time; each of them identifies a caller as well as the number does.
JOURNALED_PARAMS = frozenset({
    "AccountSid", "ApiVersion", "AvgQueueTime", "CallbackSource", "CallDuration", "CallSid", "CallStatus",
    "CurrentQueueSize", "DialCallDuration", "DialCallSid", "DialCallStatus", "Digits", "Direction",
    "QueuePosition", "QueueResult", "QueueSid", "QueueTime", "SequenceNumber", "Timestamp",
})  # fmt: skip

QUEUE_CHANGING_KINDS = {"menu", "enqueue", "queue_result", "status", "dial_result"}


@dataclass(frozen=True)
class WebhookEvent:
    """One webhook, as the call log needs it; serialisable for the fail-open spool."""

    kind: str
    call_sid: str
    dedupe_key: str
    received_at: datetime
    occurred_at: datetime
    params: dict[str, str]
    caller: ProtectedNumber | None
    language: str | None
    decision: MenuOutcome | None = None
    # Which stay in the queue the webhook belongs to (our URLs carry it).
    episode: int = 0

    def to_json(self) -> str:
        data = asdict(self)
        data["received_at"] = self.received_at.isoformat()
        data["occurred_at"] = self.occurred_at.isoformat()
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "WebhookEvent":
        data = json.loads(text)
        data["received_at"] = datetime.fromisoformat(data["received_at"])
        data["occurred_at"] = datetime.fromisoformat(data["occurred_at"])
        data["caller"] = ProtectedNumber(**data["caller"]) if data["caller"] else None
        data["decision"] = MenuOutcome(**data["decision"]) if data["decision"] else None
        # A spool written before the journal kept only JOURNALED_PARAMS still holds the rest.
        data["params"] = redact(data["params"])
        return cls(**data)


def dedupe_key(kind: str, url: str, params: dict[str, str], secret: str) -> str:
    """The same delivery twice gives the same key. Keyed, as the params hold the caller's number."""
    canonical = json.dumps([kind, url, sorted(params.items())], ensure_ascii=False)
    return hmac.new(secret.encode(), canonical.encode(), hashlib.sha256).hexdigest()


def redact(params: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in params.items() if name in JOURNALED_PARAMS}


@functools.cache
def caller_history_query():
    """Both facts in one pass over this number's other calls: one round trip per webhook.
    Built once and run with each caller's values, as the journal's and the call's statements are."""
    return select(
        func.coalesce(func.sum(case((Call.started_at >= bindparam("since"), 1), else_=0)), 0),
        func.coalesce(func.sum(case((Call.risk_level.in_(HIGH_RISK_LEVELS), 1), else_=0)), 0),
    ).where(Call.caller_hash == bindparam("caller_hash"), Call.call_sid != bindparam("call_sid"))


def caller_history(caller_hash: str | None, call_sid: str, now: datetime, window_days: int) -> CallerHistory:
    if caller_hash is None:
        return CallerHistory()
    recent, high_risk = db.session.connection().execute(
        caller_history_query(), {"since": now - timedelta(days=window_days), "caller_hash": caller_hash, "call_sid": call_sid}
    ).one()
    return CallerHistory(calls_in_window=recent or 0, previous_high_risk=bool(high_risk))


def facts(event: WebhookEvent, history: CallerHistory, emergency_key: str) -> dict:
    """The call-record columns this event tells us about (pure)."""
    params = event.params
    values: dict = {"started_at": event.occurred_at}
    if event.caller is not None:
        values.update(
            caller_hash=event.caller.hash,
            caller_encrypted=event.caller.encrypted,
            caller_masked=event.caller.masked,
        )
    if event.language:
        values["language"] = event.language
    status = params.get("CallStatus")
    if status in STATUS_RANKS:
        values.update(
            status=status,
            status_rank=STATUS_RANKS[status],
            status_sequence=int(params.get("SequenceNumber", -1)),
        )
        if status in TERMINAL_STATUSES:
            values["ended_at"] = event.occurred_at
    if "CallDuration" in params:
        values["duration_seconds"] = int(params["CallDuration"])
    if "QueueTime" in params:
        values["wait_seconds"] = int(params["QueueTime"])
        values["enqueued_at"] = event.occurred_at - timedelta(seconds=int(params["QueueTime"]))
    if "QueueSid" in params:
        values["queue_sid"] = params["QueueSid"]
    if event.kind in ("wait", "queue_result"):
        values["queue_episode"] = event.episode
    if event.kind == "queue_result":
        result = params["QueueResult"]
        values.update(queue_result=result, queue_result_rank=QUEUE_RESULT_RANKS.get(result, 0))
    if event.kind == "dial_result":
        if params["DialCallStatus"] in ANSWERED_DIAL:
            talk = int(params.get("DialCallDuration", 0))
            values.update(talk_seconds=talk, answered_at=event.occurred_at - timedelta(seconds=talk))
        else:
            # The counselor did not answer: the caller goes back into the queue, a new episode.
            values["queue_episode"] = event.episode + 1
    if event.decision is not None:
        decided = triage(event.decision, history, emergency_key)
        values.update(
            enqueued_at=event.occurred_at,
            menu_key=decided.menu_key,
            category=decided.category,
            priority=decided.priority,
            priority_rank=decided.priority_rank,
            priority_reasons=list(decided.reasons),
            emergency=decided.emergency,
            repeat_caller=decided.repeat_caller,
        )
    return values


# What a webhook may tell about a call, and what a new call record starts with: every call-record
# statement is given all of them, so one statement serves every kind of webhook.
NEW_CALL = {
    "status": None, "status_rank": 0, "status_sequence": -1, "started_at": None, "enqueued_at": None,
    "answered_at": None, "ended_at": None, "wait_seconds": None, "duration_seconds": None,
    "queue_result": None, "queue_result_rank": 0, "queue_episode": 0, "queue_sid": None,
    "talk_seconds": None, "menu_key": None, "category": None, "priority": None, "priority_rank": 0,
    "priority_reasons": [], "emergency": False, "repeat_caller": False, "language": None,
    "caller_hash": None, "caller_encrypted": None, "caller_masked": None, "categories": [],
}
CALL_COLUMNS = ("call_sid", *NEW_CALL, "abandoned", "updated_at")
JOURNAL_COLUMNS = ("call_sid", "dedupe_key", "kind", "occurred_at", "received_at", "params")


@functools.cache
def journal_insert(dialect: str):
    """The journal's INSERT, a duplicate delivery being a no-op (no id returned)."""
    table = CallEvent.__table__
    return insert(table, dialect).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.id)


@functools.cache
def call_upsert(dialect: str):
    """The call record's INSERT … ON CONFLICT, built once per dialect and run with each event's
    values: building its merge rules costs more than running it."""
    statement = insert(Call.__table__, dialect)
    return statement.on_conflict_do_update(index_elements=["call_sid"], set_=merge_rules(Call.__table__, statement.excluded))


@functools.cache
def journal_and_call_upsert():
    """PostgreSQL: the journal's insert and the call's upsert in one statement, so a webhook is
    one round trip and, run on its own, needs no transaction around it. The call is merged only
    when the journal took the event (a duplicate returns no row)."""
    calls, events = Call.__table__, CallEvent.__table__
    journal = (
        postgresql.insert(events)
        .values({name: bindparam(f"event_{name}", type_=events.c[name].type) for name in JOURNAL_COLUMNS})
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(events.c.id)
        .cte("journal")
    )
    proposed = select(*(bindparam(name, type_=calls.c[name].type) for name in CALL_COLUMNS)).where(select(journal.c.id).exists())
    statement = postgresql.insert(calls).from_select(CALL_COLUMNS, proposed)
    upsert = statement.on_conflict_do_update(index_elements=["call_sid"], set_=merge_rules(calls, statement.excluded))
    return upsert.returning(calls.c.call_sid).add_cte(journal)


def record(event: WebhookEvent, *, now: datetime, emergency_key: str, repeat_window_days: int) -> bool:
    """Journal the event and merge it into its call. False when it was a duplicate.
    The queue's version grows with the push that follows the commit (`live.emit_queue`)."""
    history = CallerHistory()
    if event.decision is not None:
        # Read first: the history leaves this call out, so it is the same before the write.
        caller_hash = event.caller.hash if event.caller else None
        history = caller_history(caller_hash, event.call_sid, event.occurred_at, repeat_window_days)
    values = {**NEW_CALL, **facts(event, history, emergency_key), "call_sid": event.call_sid, "updated_at": now}
    values["abandoned"] = is_abandoned(values)
    values["answered_at"] = answer_time(values)
    journal = {name: getattr(event, name) for name in JOURNAL_COLUMNS}
    # Core statements on the session's connection, in its transaction: the ORM's handling of
    # statements on mapped tables (they hold no objects here) cost more than running them.
    connection = db.session.connection()
    dialect = dialect_name()
    if dialect == "postgresql":
        journal = {f"event_{name}": value for name, value in journal.items()}
        return connection.execute(journal_and_call_upsert(), {**values, **journal}).first() is not None
    if connection.execute(journal_insert(dialect), journal).scalar() is None:
        return False
    connection.execute(call_upsert(dialect), values)
    return True
