"""Triage rules: from the menu choice, the caller's history and the time waiting to a priority.

Pure functions: no Flask, no database; the current time is passed in.

Priorities, most urgent first: `emergency` (the danger-now key: always served first),
`high` (an earlier call of this caller was logged high or imminent risk), `elevated`
(a repeat caller within the window), `normal`. A waiting caller climbs one level for
every `aging_step` seconds waited, up to `high`; at the same level the earlier arrival
goes first, so no routine caller waits forever behind callers who came later.
"""

from dataclasses import dataclass
from datetime import datetime

PRIORITY_RANKS = {"normal": 1, "elevated": 2, "high": 3, "emergency": 4}
PRIORITY_NAMES = {rank: name for name, rank in PRIORITY_RANKS.items()}
AGING_CEILING = PRIORITY_RANKS["high"]

MENU_ATTEMPTS = 2


@dataclass(frozen=True)
class MenuOutcome:
    """What a key press leads to: a category (and the key that chose it), or asking again."""

    category: str | None
    key: str | None
    ask_again: bool = False


@dataclass(frozen=True)
class CallerHistory:
    """What earlier calls from the same (hashed) number say."""

    calls_in_window: int = 0
    previous_high_risk: bool = False


@dataclass(frozen=True)
class Triage:
    category: str
    priority: str
    reasons: tuple[str, ...]
    emergency: bool
    repeat_caller: bool
    menu_key: str | None

    @property
    def priority_rank(self) -> int:
        return PRIORITY_RANKS[self.priority]


@dataclass(frozen=True)
class Waiting:
    """A caller in the queue, as the ordering needs them."""

    call_sid: str
    priority: str
    enqueued_at: datetime


def menu_outcome(digits: str | None, attempt: int, keys: dict[str, str], default_category: str) -> MenuOutcome:
    """A known key picks its category; a wrong key asks once more, then goes to the default."""
    if digits and digits in keys:
        return MenuOutcome(category=keys[digits], key=digits)
    if digits and attempt < MENU_ATTEMPTS:
        return MenuOutcome(category=None, key=None, ask_again=True)
    return MenuOutcome(category=default_category, key=None)


def triage(outcome: MenuOutcome, history: CallerHistory, emergency_key: str) -> Triage:
    reasons: list[str] = []
    if outcome.key is not None and outcome.key == emergency_key:
        priority = "emergency"
        reasons.append("danger_now")
    elif outcome.key is None:
        priority = "normal"
        reasons.append("no_choice")
    else:
        priority = "normal"
    if history.previous_high_risk:
        reasons.append("previous_high_risk")
        priority = max(priority, "high", key=PRIORITY_RANKS.__getitem__)
    if history.calls_in_window:
        reasons.append("repeat_caller")
        priority = max(priority, "elevated", key=PRIORITY_RANKS.__getitem__)
    return Triage(
        category=outcome.category,
        priority=priority,
        reasons=tuple(reasons),
        emergency=priority == "emergency",
        repeat_caller=history.calls_in_window > 0,
        menu_key=outcome.key,
    )


def aged_rank(priority: str, waited_seconds: float, aging_step: int) -> int:
    rank = PRIORITY_RANKS[priority]
    if rank >= AGING_CEILING:
        return rank
    return min(AGING_CEILING, rank + int(max(waited_seconds, 0) // aging_step))


def current_priority(priority: str, enqueued_at: datetime, now: datetime, aging_step: int) -> tuple[str, bool]:
    """The priority a waiting caller has now, and whether waiting raised it."""
    rank = aged_rank(priority, (now - enqueued_at).total_seconds(), aging_step)
    return PRIORITY_NAMES[rank], rank > PRIORITY_RANKS[priority]


def queue_order(waiting: list[Waiting], now: datetime, aging_step: int) -> list[Waiting]:
    """Callers in the order they will be served."""

    def serve_key(caller: Waiting):
        rank = aged_rank(caller.priority, (now - caller.enqueued_at).total_seconds(), aging_step)
        return (-rank, caller.enqueued_at, caller.call_sid)

    return sorted(waiting, key=serve_key)
