"""How a call's events merge into one record, whatever order they arrive in.

Each column has a rule: the earliest time, the largest wait, the highest-ranked status or queue
result, triage from the menu's key. `merge_rules` says them in SQL, for the upsert that merges a
new event into the stored record (`call_log`); `is_abandoned` and `answer_time` settle the derived
columns in Python for a new record, as `merge_rules` does in SQL for a merged one.
"""

from datetime import datetime, timedelta

from sqlalchemy import and_, case, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from helpline.db import UTCDateTime

STATUS_RANKS = {
    "queued": 1,
    "initiated": 1,
    "ringing": 2,
    "in-progress": 3,
    "completed": 4,
    "busy": 4,
    "failed": 4,
    "no-answer": 4,
    "canceled": 4,
}
TERMINAL_STATUSES = {status for status, rank in STATUS_RANKS.items() if rank == 4}

# Results after which our action answer puts the caller back in the queue rank lowest;
# results that take the caller out of the queue for good rank above them.
QUEUE_RESULT_RANKS = {
    "queue-full": 1,
    "error": 1,
    "system-error": 1,
    "leave": 1,
    "redirected": 2,
    "redirected-from-waitUrl": 2,
    "hangup": 3,
    "bridging-in-process": 4,
    "bridged": 5,
}
REQUEUED_RANK = 1
ANSWERED_DIAL = {"completed", "answered"}


def _earliest(column, proposed):
    return case((column.is_(None), proposed), (proposed.is_(None), column), (proposed < column, proposed), else_=column)


def _largest(column, proposed):
    return case((column.is_(None), proposed), (proposed.is_(None), column), (proposed > column, proposed), else_=column)


def _when(condition, column, proposed):
    return case((condition, proposed), else_=column)


class plus_seconds(GenericFunction):
    """A stored moment plus a whole number of seconds, kept in the columns' own storage."""

    type = UTCDateTime()
    inherit_cache = True


@compiles(plus_seconds, "postgresql")
def _plus_seconds_postgresql(element, compiler, **kw):
    moment, seconds = element.clauses
    return f"({compiler.process(moment, **kw)} + {compiler.process(seconds, **kw)} * INTERVAL '1 second')"


@compiles(plus_seconds, "sqlite")
def _plus_seconds_sqlite(element, compiler, **kw):
    # SQLite keeps moments as text, "YYYY-MM-DD HH:MM:SS.ffffff". datetime() adds the seconds
    # but drops the fraction; adding whole seconds leaves the fraction as it was, so the
    # moment's own is put back.
    moment, seconds = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(datetime({moment}, '+' || ({seconds}) || ' seconds') || substr({moment}, 20))"


def merge_rules(table, excluded) -> dict:
    """For each column, how a new event's value merges into the stored one."""
    c = table.c
    status_wins = (excluded.status_rank > c.status_rank) | (
        (excluded.status_rank == c.status_rank) & (excluded.status_sequence > c.status_sequence)
    )
    same_episode = excluded.queue_episode == c.queue_episode
    result_wins = (excluded.queue_episode > c.queue_episode) | (
        same_episode
        & (
            (excluded.queue_result_rank > c.queue_result_rank)
            | (c.queue_result.is_(None) & excluded.queue_result.isnot(None))
        )
    )
    triage_wins = excluded.category.isnot(None) & (
        c.category.is_(None) | (excluded.priority_rank > c.priority_rank)
    )
    rules = {
        name: _earliest(getattr(c, name), getattr(excluded, name))
        for name in ("started_at", "enqueued_at", "answered_at", "ended_at")
    }
    rules.update(
        {name: _largest(getattr(c, name), getattr(excluded, name)) for name in ("wait_seconds", "duration_seconds", "talk_seconds")}
    )
    rules.update({name: _when(status_wins, getattr(c, name), getattr(excluded, name)) for name in ("status", "status_rank", "status_sequence")})
    rules.update(
        {name: _when(result_wins, getattr(c, name), getattr(excluded, name)) for name in ("queue_result", "queue_result_rank", "queue_episode")}
    )
    rules.update(
        {
            name: _when(triage_wins, getattr(c, name), getattr(excluded, name))
            for name in ("menu_key", "category", "priority", "priority_rank", "priority_reasons", "emergency", "repeat_caller")
        }
    )
    rules.update(
        {
            name: func.coalesce(getattr(c, name), getattr(excluded, name))
            for name in ("caller_hash", "caller_encrypted", "caller_masked", "language", "queue_sid")
        }
    )
    # Settled from the merged values, in the same statement (`is_abandoned`, in SQL).
    rules["abandoned"] = func.coalesce(rules["queue_result"] == "hangup", False) | (
        rules["enqueued_at"].isnot(None) & rules["ended_at"].isnot(None) & (rules["queue_result_rank"] <= REQUEUED_RANK)
    )
    # `answer_time`, in SQL: recomputed from the merged entry and wait, as either may still change.
    rules["answered_at"] = case(
        (
            and_(rules["queue_result"] == "bridged", rules["enqueued_at"].isnot(None), rules["wait_seconds"].isnot(None)),
            plus_seconds(rules["enqueued_at"], rules["wait_seconds"]),
        ),
        else_=rules["answered_at"],
    )
    rules["updated_at"] = excluded.updated_at
    return rules


def is_abandoned(call: dict) -> bool:
    """Abandoned: hung up in the queue, or the call ended while still waiting (after a bounce,
    or before its queue result arrived). Derived from the merged record, so any order agrees;
    `merge_rules` says the same in SQL for a record merged with a stored one."""
    if call["queue_result"] == "hangup":
        return True
    return call["enqueued_at"] is not None and call["ended_at"] is not None and call["queue_result_rank"] <= REQUEUED_RANK


def answer_time(call: dict) -> datetime | None:
    """When the caller was answered. A caller the provider bridged straight from the queue
    (someone dequeued them with `<Dial><Queue>`) was answered on leaving it: `QueueTime` after
    entering it. The provider reports that result only when the bridged call ends, so the
    result's own moment is not the answer. Otherwise: when the counselor we dialed picked up
    (None: not answered). A bridged result is a caller's last, so it decides."""
    if call["queue_result"] == "bridged" and call["enqueued_at"] is not None and call["wait_seconds"] is not None:
        return call["enqueued_at"] + timedelta(seconds=call["wait_seconds"])
    return call["answered_at"]
