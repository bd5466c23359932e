"""Danger-now callers waiting too long: a sweep in each process that serves dashboards alerts
supervisors once about each, and folds the reports' deltas into their sums."""

import logging
from datetime import timedelta

from sqlalchemy import update

from helpline import background, clock, live
from helpline.call_queue import waiting_calls
from helpline.db import db
from helpline.in_force.thresholds import threshold
from helpline.models import Call
from helpline.reports.rollups import fold_deltas

log = logging.getLogger(__name__)


def alert_long_waits(now) -> list[str]:
    """Alert supervisors once about each danger-now caller waiting past the threshold."""
    cutoff = now - timedelta(seconds=threshold("danger_wait_alert_seconds"))
    alerted = []
    for call in waiting_calls():
        if not call.emergency or call.alerted_at is not None or call.enqueued_at > cutoff:
            continue
        # Several processes sweep: the conditional update lets exactly one of them alert.
        claimed = db.session.execute(
            update(Call).where(Call.call_sid == call.call_sid, Call.alerted_at.is_(None)).values(alerted_at=now)
        ).rowcount
        db.session.commit()
        if claimed:
            waited = int((now - call.enqueued_at).total_seconds())
            live.push_alert("danger_now_waiting", call.call_sid, f"A caller in danger now has waited {waited} s", seconds=waited)
            alerted.append(call.call_sid)
    return alerted


def init_app(app) -> None:
    live.on_welcome(app, start_sweeper)


def start_sweeper(app) -> None:
    """Once per app, when a dashboard first connects (the tests call `sweep_once` themselves);
    the thread ends with the app."""
    if not app.config["TESTING"]:
        background.of(app).start_once("helpline-sweeper", lambda: _sweep_forever(app))


def _sweep_forever(app) -> None:
    stopping = background.of(app).stopping
    while not stopping.wait(app.config["DANGER_WAIT_SWEEP_SECONDS"]):
        sweep_once(app)


def sweep_once(app) -> None:
    """Alert about danger-now callers waiting too long; fold the reports' deltas into their
    sums, so that the wallboard's day, read all day long, never reads a growing pile of them."""
    with app.app_context():
        try:
            alert_long_waits(clock.now())
        except Exception:
            db.session.rollback()
            log.exception("the danger-now waiting sweep failed")
        try:
            fold_deltas(db.session)
            db.session.commit()
        except Exception as failure:
            db.session.rollback()
            log.error("folding the reports' deltas failed (%s)", type(failure).__name__)
