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
from helpline.reports.rollup_tables import CallHour
from helpline.reports.rollups import days_covered, in_days, with_deltas
from helpline.reports.sql import local_hour, local_weekday
from helpline.reports.summary import (
    UNCATEGORISED,
    category_mentions,
    counting_columns,
    offered_in,
    rolled_up_category_mentions,
    rolled_up_counting_columns,
    service_level,
)

# 0 is Sunday, as SQLite's %w and PostgreSQL's dow count; pages order the week as they like.
WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")


def by_category_outcome_risk(start_utc: datetime, end_utc: datetime) -> list[dict]:
    days = days_covered(db.session, start_utc, end_utc)
    if days is None:
        query = category_mentions(start_utc, end_utc, Call.outcome, Call.risk_level)
    else:
        query = rolled_up_category_mentions(days, "outcome", "risk_level")
    rows = db.session.execute(query).all()
    report = [
        # The rollups keep "" for no outcome or risk level.
        {"category": category or UNCATEGORISED, "outcome": outcome or None, "risk_level": risk_level or None, "calls": int(calls)}
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


def rolled_up_cells(days, thresholds: dict) -> list[dict]:
    """The (weekday, hour) cells from `call_hours`: its days and hours (a month's rows keep
    the weekday in their day), summed by weekday."""
    call_hours = with_deltas(db.session, CallHour)
    rows = db.session.execute(
        select(call_hours.day, call_hours.hour, *rolled_up_counting_columns(call_hours, **thresholds))
        .where(*in_days(call_hours, days))
        .group_by(call_hours.day, call_hours.hour)
    ).all()
    cells: dict[tuple[int, int], dict] = {}
    for row in rows:
        counts = _counts(row)
        if not counts["offered"]:
            continue
        cell = cells.setdefault((row.day.isoweekday() % 7, int(row.hour)), dict.fromkeys(counts, 0))
        for name, value in counts.items():
            cell[name] += value
    return [{"hour": hour, "weekday": weekday, **counts} for (weekday, hour), counts in cells.items()]


def by_hour_and_weekday(
    start_utc: datetime, end_utc: datetime, *, utc_offset_minutes: int, service_level_seconds: int, short_abandon_seconds: int
) -> dict:
    """Local hour of day (0..23) and day of the week (0 Sunday..6 Saturday), from one GROUP BY
    over both: the 168 cells, and each dimension summed from them."""
    thresholds = {"service_level_seconds": service_level_seconds, "short_abandon_seconds": short_abandon_seconds}
    days = days_covered(db.session, start_utc, end_utc, utc_offset_minutes)
    if days is None:
        dialect = dialect_name()
        hour = local_hour(Call.enqueued_at, utc_offset_minutes, dialect).label("hour")
        weekday = local_weekday(Call.enqueued_at, utc_offset_minutes, dialect).label("weekday")
        rows = db.session.execute(
            select(hour, weekday, *counting_columns(**thresholds)).where(*offered_in(start_utc, end_utc)).group_by(hour, weekday)
        ).all()
        cells = [{"hour": int(row.hour), "weekday": int(row.weekday), **_counts(row)} for row in rows]
    else:
        cells = rolled_up_cells(days, thresholds)
    cells.sort(key=lambda cell: (cell["weekday"], cell["hour"]))
    return {
        "hours": [{"hour": h, **_totals([c for c in cells if c["hour"] == h])} for h in range(24)],
        "weekdays": [
            {"weekday": d, "day": WEEKDAYS[d], **_totals([c for c in cells if c["weekday"] == d])} for d in range(7)
        ],
        "cells": cells,
    }
