"""Calls broken down: by category × outcome × risk level, and by local hour and weekday.

Category × outcome × risk counts every offered call: each category of its log, or its queue
category (the menu choice) when the log has none; so an abandoned or not-yet-logged call
counts under its menu choice with no outcome and no risk level. A call logged under two
categories counts once in each.
"""

from datetime import datetime

from sqlalchemy import select

from helpline.db import db, dialect_name
from helpline.models import Call
from helpline.reports.sql import local_hour, local_weekday
from helpline.reports.summary import (
    UNCATEGORISED,
    category_mentions,
    counting_columns,
    offered_in,
    service_level,
)

# 0 is Sunday, as SQLite's %w and PostgreSQL's dow count; pages order the week as they like.
WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")


def by_category_outcome_risk(start_utc: datetime, end_utc: datetime) -> list[dict]:
    rows = db.session.execute(category_mentions(start_utc, end_utc, Call.outcome, Call.risk_level)).all()
    report = [
        {"category": category or UNCATEGORISED, "outcome": outcome, "risk_level": risk_level, "calls": int(calls)}
        for category, outcome, risk_level, calls in rows
    ]
    return sorted(report, key=lambda row: (-row["calls"], row["category"], row["outcome"] or "", row["risk_level"] or ""))


def _counts(row) -> dict:
    return {
        "offered": int(row.offered),
        "answered": int(row.answered),
        "abandoned": int(row.abandoned),
        "short_abandons": int(row.short_abandons),
        "answered_within_threshold": int(row.answered_within_threshold),
    }


def _totals(cells: list[dict]) -> dict:
    totals = {name: sum(cell[name] for cell in cells) for name in ("offered", "answered", "abandoned", "short_abandons", "answered_within_threshold")}
    totals["service_level"] = service_level(totals["answered_within_threshold"], totals["offered"], totals["short_abandons"])
    return totals


def by_hour_and_weekday(
    start_utc: datetime, end_utc: datetime, *, utc_offset_minutes: int, service_level_seconds: int, short_abandon_seconds: int
) -> dict:
    """Local hour of day (0..23) and day of the week (0 Sunday..6 Saturday), from one GROUP BY
    over both: the 168 cells, and each dimension summed from them."""
    dialect = dialect_name()
    hour = local_hour(Call.enqueued_at, utc_offset_minutes, dialect).label("hour")
    weekday = local_weekday(Call.enqueued_at, utc_offset_minutes, dialect).label("weekday")
    rows = db.session.execute(
        select(hour, weekday, *counting_columns(service_level_seconds=service_level_seconds, short_abandon_seconds=short_abandon_seconds))
        .where(*offered_in(start_utc, end_utc))
        .group_by(hour, weekday)
    ).all()
    cells = [{"hour": int(row.hour), "weekday": int(row.weekday), **_counts(row)} for row in rows]
    cells.sort(key=lambda cell: (cell["weekday"], cell["hour"]))
    return {
        "hours": [{"hour": h, **_totals([c for c in cells if c["hour"] == h])} for h in range(24)],
        "weekdays": [
            {"weekday": d, "day": WEEKDAYS[d], **_totals([c for c in cells if c["weekday"] == d])} for d in range(7)
        ],
        "cells": cells,
    }
