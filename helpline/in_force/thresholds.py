"""Thresholds and targets an administrator can change while the service runs.

Each has a default from the environment (config/__init__.py); a value saved by an admin in the
`settings` table overrides it, in every process at once. Read them with
`threshold`, which reads the table once per request (`helpline.in_force.saved`) and fails open
to the default when the database does not answer.
"""

import logging
import math
from dataclasses import dataclass

from flask import current_app

from helpline.in_force import saved

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Threshold:
    key: str
    config_name: str
    minimum: float
    maximum: float
    whole: bool = True


THRESHOLDS = {
    threshold.key: threshold
    for threshold in (
        # Service level: answered within this many seconds of reaching the queue.
        Threshold("service_level_seconds", "SERVICE_LEVEL_SECONDS", 1, 3600),
        Threshold("service_level_target", "SERVICE_LEVEL_TARGET", 0, 1, whole=False),
        # Callers who hang up sooner than this are counted apart, not as abandoned.
        Threshold("short_abandon_seconds", "SHORT_ABANDON_SECONDS", 0, 600),
        Threshold("danger_wait_alert_seconds", "DANGER_WAIT_ALERT_SECONDS", 5, 3600),
        Threshold("aging_step_seconds", "AGING_STEP_SECONDS", 10, 86400),
        Threshold("repeat_caller_window_days", "REPEAT_CALLER_WINDOW_DAYS", 1, 3650),
    )
}


def default(key: str):
    return current_app.config[THRESHOLDS[key].config_name]


def check(key: str, value) -> int | float:
    """The value if acceptable; ValueError naming the limits otherwise."""
    threshold = THRESHOLDS[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{key} must be a number")
    if threshold.whole and value != int(value):
        raise ValueError(f"{key} must be a whole number")
    if not threshold.minimum <= value <= threshold.maximum:
        raise ValueError(f"{key} must be from {threshold.minimum:g} to {threshold.maximum:g}")
    return int(value) if threshold.whole else float(value)


def put(key: str, value, user_id: int) -> None:
    """Save an admin's value (the caller commits)."""
    if key not in THRESHOLDS:
        raise KeyError(key)
    saved.store(key, check(key, value), user_id)


def threshold(key: str) -> int | float:
    """A threshold in force: the admin's value while it is within its limits, else the default."""
    saved_value = saved.snapshot().get(key)
    if saved_value is None:
        return default(key)
    try:
        return check(key, saved_value)
    except ValueError:
        log.warning("the saved %s is outside its limits; using the default", key)
        return default(key)
