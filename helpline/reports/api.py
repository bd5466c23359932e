"""`/api/reports/…`: each report of a period as JSON, or as CSV (`.csv`, or `?format=csv`).

Supervisors and admins only. The period is `from`/`to` (local dates, inclusive; the last seven
days by default); a bad one is refused with 400 naming the parameter.
"""

from collections.abc import Callable, Iterable

from flask import Blueprint, Response, abort, jsonify, request, stream_with_context

from helpline import clock
from helpline.auth import roles_required
from helpline.db import db, read_only_transaction
from helpline.models import SUPERVISING_ROLES
from helpline.periods import Period, or_400
from helpline.reports import csv_export
from helpline.reports.breakdowns import by_category_outcome_risk, by_hour_and_weekday
from helpline.reports.counselors import per_counselor
from helpline.reports.params import Thresholds, requested_report_period, thresholds_in_force
from helpline.reports.rollups import fold_deltas
from helpline.reports.summary import summarize
from helpline.reports.trend import daily

bp = Blueprint("reports_api", __name__, url_prefix="/api/reports")


def fold_then_read() -> None:
    """Fold the rollups' deltas into their sums in a short write of its own (readers add what
    is left, so a fold skipped or racing a webhook loses nothing), then go on as a reader."""
    if fold_deltas(db.session):
        db.session.commit()
    read_only_transaction()


# Reports only read: on SQLite they must not hold the write lock the webhooks need.
bp.before_request(fold_then_read)

FORMATS = ("json", "csv")

COUNSELOR_COLUMNS = (
    "counselor", "handled", "talk_seconds", "wrap_up_seconds", "average_handle_time", "average_wrap_up",
    "staffed_seconds", "occupancy",
)  # fmt: skip
BREAKDOWN_COLUMNS = ("category", "outcome", "risk_level", "calls")
COUNT_COLUMNS = ("offered", "answered", "abandoned", "short_abandons", "answered_within_threshold")
HOUR_COLUMNS = ("weekday", "day", "hour", *COUNT_COLUMNS)
TREND_COLUMNS = ("date", *COUNT_COLUMNS, "service_level", "abandonment_rate")


def period_or_400() -> Period:
    return or_400(requested_report_period)


def wants_csv(as_csv: bool) -> bool:
    chosen = request.args.get("format", "csv" if as_csv else "json")
    if chosen not in FORMATS:
        abort(400, f"format: must be one of {', '.join(FORMATS)}")
    return chosen == "csv"


def csv_download(name: str, period: Period, header: Iterable[str], rows: Iterable) -> Response:
    filename = f"{name}-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    return Response(
        stream_with_context(csv_export.csv_lines(header, rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def report_route(name: str):
    """`/name` (JSON unless ?format=csv) and `/name.csv`, for supervisors and admins."""

    def register(view: Callable) -> Callable:
        guarded = roles_required(*SUPERVISING_ROLES)(view)
        bp.add_url_rule(f"/{name}", view_func=guarded, endpoint=name, defaults={"as_csv": False})
        bp.add_url_rule(f"/{name}.csv", view_func=guarded, endpoint=f"{name}_csv", defaults={"as_csv": True})
        return guarded

    return register


def summary_json(period: Period, thresholds: Thresholds) -> dict:
    return {
        **summarize(period.start_utc, period.end_utc, **thresholds.counting()),
        "target": thresholds.service_level_target,
        "period": period.as_json(),
    }


@report_route("summary")
def summary(as_csv: bool):
    period, thresholds, csv_wanted = period_or_400(), thresholds_in_force(), wants_csv(as_csv)
    report = summary_json(period, thresholds)
    if not csv_wanted:
        return jsonify(report)
    rows = [(key, value) for key, value in report.items() if not isinstance(value, dict)]
    rows += [(f"by_category.{key}", count) for key, count in report["by_category"].items()]
    rows += [(f"period.{key}", value) for key, value in report["period"].items()]
    return csv_download("summary", period, ("metric", "value"), rows)


@report_route("counselors")
def counselors(as_csv: bool):
    period, csv_wanted = period_or_400(), wants_csv(as_csv)
    report = per_counselor(period.start_utc, period.end_utc, now=clock.now())
    if csv_wanted:
        return csv_download("counselors", period, COUNSELOR_COLUMNS, csv_export.dict_rows(COUNSELOR_COLUMNS, report))
    return jsonify(counselors=report, period=period.as_json())


@report_route("breakdown")
def breakdown(as_csv: bool):
    period, csv_wanted = period_or_400(), wants_csv(as_csv)
    report = by_category_outcome_risk(period.start_utc, period.end_utc)
    if csv_wanted:
        return csv_download("breakdown", period, BREAKDOWN_COLUMNS, csv_export.dict_rows(BREAKDOWN_COLUMNS, report))
    return jsonify(rows=report, period=period.as_json())


@report_route("hours")
def hours(as_csv: bool):
    period, thresholds, csv_wanted = period_or_400(), thresholds_in_force(), wants_csv(as_csv)
    report = by_hour_and_weekday(
        period.start_utc, period.end_utc, utc_offset_minutes=period.utc_offset_minutes, **thresholds.counting()
    )
    if csv_wanted:
        return csv_download("hours", period, HOUR_COLUMNS, csv_export.dict_rows(HOUR_COLUMNS, hour_cells(report)))
    return jsonify(**report, period=period.as_json(), thresholds=thresholds.as_json())


def hour_cells(report: dict) -> list[dict]:
    days = {row["weekday"]: row["day"] for row in report["weekdays"]}
    return [{**cell, "day": days[cell["weekday"]]} for cell in report["cells"]]


@report_route("trend")
def trend(as_csv: bool):
    period, thresholds, csv_wanted = period_or_400(), thresholds_in_force(), wants_csv(as_csv)
    report = daily(period, **thresholds.counting())
    if csv_wanted:
        return csv_download("trend", period, TREND_COLUMNS, csv_export.dict_rows(TREND_COLUMNS, report))
    return jsonify(days=report, period=period.as_json(), thresholds=thresholds.as_json())


@bp.get("/calls.csv")
@roles_required(*SUPERVISING_ROLES)
def calls_csv():
    period = period_or_400()
    return csv_download("calls", period, csv_export.CALL_COLUMNS, csv_export.calls_in(period))
