"""A year of synthetic calls and presence changes for the report benchmark, deterministic for a
seed so that SQLite and PostgreSQL get the same rows.

The shape follows a 1480-style line: most calls 08:00–24:00 local with evening peaks, fewer on
Fridays (the Iranian weekend), a seasonal swing; the menu's categories; ~3 % IVR drop-offs that
never reach the queue; ~14 % of queued callers hang up (a third of them within seconds);
danger-now callers (4 %) are answered faster; the counselor's log with one to three categories
of the caller's menu group, a risk level and an outcome; about 60 counselors; and each answered
call's presence changes (on a call, wrap-up, available) besides the counselors' shifts.
"""

import base64
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from helpline.taxonomy import Taxonomy

OFFSET = timedelta(minutes=210)
# Share of the day's calls in each local hour (0..23): the line runs 08:00-24:00, a few at night.
HOUR_WEIGHTS = (1, 1, 0.5, 0.5, 0.5, 0.5, 1, 2, 5, 7, 8, 8, 7, 7, 7, 7, 8, 8, 9, 10, 10, 9, 8, 5)
# Sunday..Saturday: Friday is the weekend, Thursday a half day for many.
WEEKDAY_WEIGHTS = (1.05, 1.05, 1.0, 1.0, 0.85, 0.6, 1.1)
MENU = (
    ("counselling", "1", 0.45), ("children_family", "2", 0.25), ("disability", "3", 0.07),
    ("elderly", "4", 0.08), ("addiction_social_harms", "5", 0.07), ("suicide_self_harm", "9", 0.04),
    (None, None, 0.04),  # silence or a wrong key twice: counselling
)  # fmt: skip
RISKS = (("none", 40), ("low", 30), ("medium", 18), ("high", 9), ("imminent", 3))
DANGER_RISKS = (("medium", 20), ("high", 50), ("imminent", 30))
OUTCOMES = (
    ("counselled", 55), ("information_given", 12), ("referred", 14), ("follow_up_scheduled", 8),
    ("emergency_services_contacted", 2), ("social_emergency_dispatched", 1), ("caller_hung_up", 5), ("no_action_needed", 3),
)  # fmt: skip
CALL_TYPES = (("about_self", 60), ("about_someone_else", 25), ("information_request", 8), ("silent", 3), ("prank", 2), ("wrong_number", 2))
NOTES = (
    "Caller worried about exams; breathing exercise together, agreed to call back.",
    "Mother concerned about her son's behaviour at school; parenting advice given and a visit to the centre suggested.",
    "Long conversation about loneliness since retirement; information about the local elderly day centre.",
    "Conflict with spouse over finances; premarital and marital counselling services explained.",
)
COUNSELORS = 60
IVR_DROP_OFF = 0.03
ABANDON = 0.14
ABANDON_DANGER = 0.05
SHORT_SHARE = 1 / 3
UNLOGGED = 0.02


@dataclass(frozen=True)
class Plan:
    calls: int
    first_day: date
    days: int
    seed: int = 1480


def _weighted(pairs):
    keys, weights = zip(*pairs, strict=True)
    return list(keys), list(weights)


def local_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC) - OFFSET


def arrival_times(plan: Plan, rng: random.Random) -> list[datetime]:
    """Every call's arrival, sorted: days weighted by weekday and season, hours by profile."""
    days = [plan.first_day + timedelta(days=n) for n in range(plan.days)]
    day_weights = [
        WEEKDAY_WEIGHTS[(day.isoweekday()) % 7] * (1 + 0.15 * math.sin(2 * math.pi * n / 365)) for n, day in enumerate(days)
    ]
    chosen_days = rng.choices(range(plan.days), weights=day_weights, k=plan.calls)
    chosen_hours = rng.choices(range(24), weights=HOUR_WEIGHTS, k=plan.calls)
    starts = [local_start(day) for day in days]
    arrivals = [
        starts[d] + timedelta(hours=h, seconds=rng.random() * 3600) for d, h in zip(chosen_days, chosen_hours, strict=True)
    ]
    arrivals.sort()
    return arrivals


def categories_by_group(taxonomy: Taxonomy) -> dict[str, list[str]]:
    return {top.key: [child.key for child in top.children] for top in taxonomy.categories}


def calls(plan: Plan, taxonomy: Taxonomy, counselor_ids: list[int]) -> Iterator[dict]:
    """The calls, in order of arrival, as dicts of column values (Python types)."""
    rng = random.Random(plan.seed)
    groups = categories_by_group(taxonomy)
    all_children = [key for children in groups.values() for key in children]
    menu, menu_weights = _weighted([((category, key), weight) for category, key, weight in MENU])
    risks, risk_weights = _weighted(RISKS)
    danger_risks, danger_risk_weights = _weighted(DANGER_RISKS)
    outcomes, outcome_weights = _weighted(OUTCOMES)
    call_types, call_type_weights = _weighted(CALL_TYPES)
    for number, arrival in enumerate(arrival_times(plan, rng)):
        category, key = rng.choices(menu, menu_weights)[0]
        category = category or "counselling"
        emergency = key == "9"
        repeat = rng.random() < 0.25
        started = arrival - timedelta(seconds=rng.uniform(15, 60))
        row = {
            "call_sid": f"CA{number:032x}",
            "status": "completed",
            "status_rank": 4,
            "status_sequence": 3,
            "started_at": started,
            "enqueued_at": arrival,
            "answered_at": None, "ended_at": None, "wait_seconds": None, "duration_seconds": None, "queue_result": None,
            "queue_result_rank": 0, "queue_episode": 0, "queue_sid": "QU" + "0" * 32, "abandoned": False, "taken_at": None,
            "talk_seconds": None, "alerted_at": None, "menu_key": key, "category": category,
            "priority": "emergency" if emergency else ("elevated" if repeat else "normal"),
            "priority_rank": 3 if emergency else (1 if repeat else 0),
            "priority_reasons": ["danger now"] if emergency else (["called recently"] if repeat else []),
            "emergency": emergency, "language": "fa", "repeat_caller": repeat,
            "caller_hash": f"{rng.getrandbits(256):064x}",
            "caller_encrypted": base64.urlsafe_b64encode(rng.randbytes(100)).decode(),
            "caller_masked": f"+98********{rng.randrange(100):02d}",
            "counselor_id": None, "call_type": None, "categories": [], "risk_level": None, "outcome": None,
            "referral": None, "notes": None, "follow_up_on": None, "logged_at": None, "wrap_up_seconds": None,
        }  # fmt: skip
        if rng.random() < IVR_DROP_OFF:
            ended = started + timedelta(seconds=rng.uniform(5, 40))
            row.update(enqueued_at=None, ended_at=ended, duration_seconds=int((ended - started).total_seconds()), updated_at=ended)
            yield row
            continue
        if rng.random() < (ABANDON_DANGER if emergency else ABANDON):
            wait = rng.randrange(5) if rng.random() < SHORT_SHARE else 5 + int(rng.expovariate(1 / 60))
            ended = arrival + timedelta(seconds=wait)
            row.update(wait_seconds=wait, abandoned=True, queue_result="hangup", queue_result_rank=2, ended_at=ended, updated_at=ended)
            yield row
            continue
        wait = int(rng.expovariate(1 / (8 if emergency else 25)))
        talk = min(10800, int(rng.lognormvariate(math.log(480), 0.6)))
        answered = arrival + timedelta(seconds=wait)
        ended = answered + timedelta(seconds=talk)
        row.update(
            wait_seconds=wait, queue_result="bridged", queue_result_rank=3, taken_at=answered - timedelta(seconds=3),
            answered_at=answered, ended_at=ended, talk_seconds=talk, duration_seconds=int((ended - started).total_seconds()),
            counselor_id=rng.choice(counselor_ids), updated_at=ended,
        )  # fmt: skip
        if rng.random() >= UNLOGGED:
            wrap_up = 0 if rng.random() < 0.2 else int(rng.expovariate(1 / 90))
            count = rng.choices((1, 2, 3), (70, 25, 5))[0]
            logged = rng.sample(groups[category], min(count, len(groups[category])))
            if rng.random() < 0.1:
                logged.append(rng.choice(all_children))
            row.update(
                call_type=rng.choices(call_types, call_type_weights)[0],
                categories=sorted(set(logged)),
                risk_level=rng.choices(danger_risks, danger_risk_weights)[0] if emergency else rng.choices(risks, risk_weights)[0],
                outcome=rng.choices(outcomes, outcome_weights)[0],
                notes=rng.choice(NOTES) if rng.random() < 0.6 else None,
                wrap_up_seconds=wrap_up,
                logged_at=ended + timedelta(seconds=wrap_up),
                updated_at=ended + timedelta(seconds=wrap_up),
            )
        yield row


def presence_changes(plan: Plan, counselor_ids: list[int], call_rows: Iterator[dict]) -> Iterator[tuple[int, str, datetime]]:
    """Shifts (available, a break, offline) for every counselor each day they work, and each
    answered call's on_call / wrap_up / available; not in time order."""
    rng = random.Random(plan.seed + 1)
    for n in range(plan.days):
        day_start = local_start(plan.first_day + timedelta(days=n))
        for user_id in counselor_ids:
            if rng.random() < 0.3:  # a day off
                continue
            start = day_start + timedelta(hours=rng.choice((8, 12, 16)))
            yield user_id, "available", start
            yield user_id, "break", start + timedelta(hours=3, minutes=rng.randrange(60))
            yield user_id, "available", start + timedelta(hours=4, minutes=rng.randrange(60))
            yield user_id, "offline", start + timedelta(hours=8)
    for row in call_rows:
        if row["answered_at"] is not None:
            yield row["counselor_id"], "on_call", row["answered_at"]
            yield row["counselor_id"], "wrap_up", row["ended_at"]
            yield row["counselor_id"], "available", row["logged_at"] or row["ended_at"]


def json_text(value) -> str:
    return json.dumps(value, ensure_ascii=False)
