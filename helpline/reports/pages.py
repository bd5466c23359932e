"""`/reports`: the supervisors' report page — figures, tables, CSV links and charts of a period.

The page is complete without JavaScript (every figure is in a table); the script draws three
charts over the tables' data with Chart.js, served from node_modules at /vendor/chart.umd.js.
"""

from datetime import date

from flask import Blueprint, render_template
from flask_babel import get_locale
from flask_babel import gettext as _

from helpline import clock
from helpline.auth import roles_required
from helpline.in_force.taxonomy_labels import current_taxonomy
from helpline.periods import DEFAULT_DAYS, ArgumentError, Period, local_today, parse_period, utc_offset_minutes
from helpline.reports.api import fold_then_read
from helpline.reports.breakdowns import by_category_outcome_risk, by_hour_and_weekday
from helpline.reports.counselors import per_counselor
from helpline.reports.params import MAX_DAYS, Thresholds, requested_report_period, thresholds_in_force
from helpline.reports.summary import UNCATEGORISED, summarize
from helpline.reports.trend import daily
from helpline.taxonomy import Taxonomy

bp = Blueprint("reports_pages", __name__)
# Reports only read: on SQLite they must not hold the write lock the webhooks need.
bp.before_request(fold_then_read)

# The page lists the week from Saturday, as Iran and the Persian calendar do.
WEEK_ORDER = (6, 0, 1, 2, 3, 4, 5)


def language() -> str:
    return str(get_locale() or "en")


class Labels:
    """Taxonomy keys as words in the page's language (with the labels an administrator
    changed); an unknown key shows as itself."""

    def __init__(self, taxonomy: Taxonomy, language: str):
        self.taxonomy, self.language = taxonomy, language

    def __call__(self, key: str | None) -> str:
        if key is None:
            return _("Not logged")
        if key == UNCATEGORISED:
            return _("Uncategorised")
        try:
            return self.taxonomy.label(key, self.language)
        except KeyError:
            return key

    def group_of(self, key: str) -> str:
        """The top-level group of a category key, for the chart (unknown keys stand alone)."""
        try:
            return self.taxonomy.parent_of(key) or key
        except KeyError:
            return key


def by_group(by_category: dict[str, int], labels: Labels) -> list[dict]:
    groups: dict[str, int] = {}
    for key, count in by_category.items():
        group = labels.group_of(key)
        groups[group] = groups.get(group, 0) + count
    return [{"key": key, "label": labels(key), "count": count} for key, count in sorted(groups.items(), key=lambda item: -item[1])]


def weekday_names() -> dict[str, str]:
    return {
        "sunday": _("Sunday"), "monday": _("Monday"), "tuesday": _("Tuesday"), "wednesday": _("Wednesday"),
        "thursday": _("Thursday"), "friday": _("Friday"), "saturday": _("Saturday"),
    }  # fmt: skip


def page_reports(period: Period, thresholds: Thresholds, labels: Labels) -> dict:
    """Every report of the period, shaped for the template and the charts."""
    start, end = period.start_utc, period.end_utc
    summary = summarize(start, end, **thresholds.counting())
    hours = by_hour_and_weekday(start, end, utc_offset_minutes=period.utc_offset_minutes, **thresholds.counting())
    trend = daily(period, **thresholds.counting())
    groups = by_group(summary["by_category"], labels)
    return {
        "summary": summary,
        "counselors": per_counselor(start, end, now=clock.now()),
        "breakdown": by_category_outcome_risk(start, end),
        "hours": hours["hours"],
        "weekdays": [hours["weekdays"][day] for day in WEEK_ORDER],
        "trend": [{**day, "local_date": date.fromisoformat(day["date"])} for day in trend],
        "groups": groups,
        "charts": {
            "hours": {
                "labels": [f"{row['hour']:02d}" for row in hours["hours"]],
                "offered": [row["offered"] for row in hours["hours"]],
                "answered": [row["answered"] for row in hours["hours"]],
                "abandoned": [row["abandoned"] for row in hours["hours"]],
            },
            "categories": {"labels": [group["label"] for group in groups], "counts": [group["count"] for group in groups]},
            "trend": {
                "labels": [day["date"] for day in trend],
                "service_level": [round(day["service_level"] * 100, 1) for day in trend],
                "target": round(thresholds.service_level_target * 100, 1),
            },
        },
    }


def default_period() -> Period:
    offset = utc_offset_minutes()
    return parse_period(None, None, today=local_today(offset_minutes=offset), utc_offset_minutes=offset, max_days=MAX_DAYS)


@bp.get("/reports")
@roles_required("supervisor", "admin")
def reports():
    labels = Labels(current_taxonomy(), language())
    common = {"labels": labels, "weekday_names": weekday_names(), "default_days": DEFAULT_DAYS}
    try:
        period = requested_report_period()
    except ArgumentError as error:
        return render_template("reports/index.html", error=error, period=default_period(), reports=None, **common), 400
    thresholds = thresholds_in_force()
    return render_template(
        "reports/index.html",
        error=None,
        period=period,
        thresholds=thresholds,
        reports=page_reports(period, thresholds, labels),
        **common,
    )
