"""The supervisors' wallboard: a screen for the wall of the helpline centre.

What it shows is one body, the same as `GET /api/wallboard` and as the `wallboard` socket event
(pushed from helpline.live): the live queue's figures, counselors by state, and today's offered,
answered and abandoned calls with the service level against its target. "Today" is the local
day (`HELPLINE_UTC_OFFSET_MINUTES`); the figures come from the reports' own summary, so the
wallboard and the reports never disagree.
"""

from datetime import datetime

from flask import render_template, url_for
from sqlalchemy import func, select

from helpline import call_queue, clock
from helpline.auth import roles_required
from helpline.db import db
from helpline.in_force.thresholds import threshold
from helpline.models import PRESENCE_STATES, SUPERVISING_ROLES, PresenceChange, User
from helpline.openapi.blueprint import ApiBlueprint
from helpline.periods import today_period
from helpline.reports.summary import summarize
from helpline.serializers import WallboardSchema

bp = ApiBlueprint("wallboard", __name__)
def counselors_by_state() -> dict[str, int]:
    """How many active counselors are in each presence state (every state, zeros included)."""
    counts = dict.fromkeys(PRESENCE_STATES, 0)
    rows = db.session.execute(
        select(User.presence, func.count())
        .where(User.role == "counselor", User.active.is_(True))
        .group_by(User.presence)
    )
    for state, count in rows:
        if state in counts:
            counts[state] = count
    return counts

# Made once: every wallboard push dumps through it.
WALLBOARD = WallboardSchema()

def latest_presence_change() -> int:
    return db.session.scalar(select(func.max(PresenceChange.id))) or 0


def version() -> int:
    """Grows with every change the wallboard shows: each change of the queue bumps the queue's
    counter, each change of presence adds a presence-change row."""
    return call_queue.version() + latest_presence_change()


def today_figures(now: datetime) -> dict:
    period = today_period(now)
    service_level_seconds = threshold("service_level_seconds")
    summary = summarize(
        period.start_utc,
        period.end_utc,
        service_level_seconds=service_level_seconds,
        short_abandon_seconds=threshold("short_abandon_seconds"),
    )
    measured = summary["offered"] - summary["short_abandons"]
    return {
        "offered": summary["offered"],
        "answered": summary["answered"],
        "abandoned": summary["abandoned"],
        "short_abandons": summary["short_abandons"],
        # None rather than the report's 0 before the first call: an empty morning is not a
        # service level of 0 % on the wall.
        "service_level": summary["service_level"] if measured else None,
        "target": threshold("service_level_target"),
        "service_level_seconds": service_level_seconds,
    }


def wallboard_body() -> dict:
    """The `wallboard` event's body, now, as `GET /api/wallboard` answers it."""
    return WALLBOARD.dump(wallboard_figures(clock.now()))


def wallboard_figures(now: datetime) -> dict:
    """WallboardSchema's source."""
    # The version first: a body may then be newer than its number, never older.
    current = version()
    return {
        "version": current,
        "queue": call_queue.figures(now),
        "counselors": counselors_by_state(),
        "today": today_figures(now),
        "server_time": now.isoformat(),
    }


@bp.get("/wallboard")
@roles_required(*SUPERVISING_ROLES)
def page():
    return render_template("wallboard.html", login_url=url_for("auth.login_page"))


@bp.get("/api/wallboard")
@roles_required(*SUPERVISING_ROLES)
@bp.response(200, WallboardSchema, description="The figures.")
def figures():
    """The wallboard's figures"""
    return wallboard_figures(clock.now())
