"""`/api/reports/…`: each report of a period as JSON, or as CSV (`.csv`, or `?format=csv`).

Supervisors and admins only. The period is `from`/`to` (local dates, inclusive; the last seven
days by default); a bad one is refused with 400 naming the parameter.
"""

from collections.abc import Callable, Iterable

from flask import Response, abort, request, stream_with_context
from marshmallow import Schema

from helpline import clock
from helpline.auth import roles_required
from helpline.db import db, read_only_transaction
from helpline.models import SUPERVISING_ROLES
from helpline.openapi.blueprint import ApiBlueprint
from helpline.periods import DAY_OR_EMPTY, Period, or_400, query_parameter
from helpline.reports import csv_export
from helpline.reports.breakdowns import by_category_outcome_risk, by_hour_and_weekday
from helpline.reports.counselors import per_counselor
from helpline.reports.params import MAX_DAYS, Thresholds, requested_report_period, thresholds_in_force
from helpline.reports.rollups import fold_deltas
from helpline.reports.schemas import BreakdownSchema, CounselorsSchema, HoursSchema, SummarySchema, TrendSchema
from helpline.reports.summary import summarize
from helpline.reports.trend import daily

bp = ApiBlueprint("reports_api", __name__, url_prefix="/api/reports")


def fold_then_read() -> None:
    """Fold the rollups' deltas into their sums in a short write of its own (readers add what
    is left, so a fold skipped or racing a webhook loses nothing), then go on as a reader."""
    if fold_deltas(db.session):
        db.session.commit()
    read_only_transaction()


# Reports only read: on SQLite they must not hold the write lock the webhooks need.
bp.before_request(fold_then_read)

FORMATS = ("json", "csv")

PERIOD_PARAMETERS = (
    query_parameter("from", DAY_OR_EMPTY, "First local day (YYYY-MM-DD); six days before `to` by default."),
    query_parameter("to", DAY_OR_EMPTY, f"Last local day, included; today by default (or `from`, when later). At most {MAX_DAYS} days."),
)
FORMAT_PARAMETER = query_parameter("format", {"type": "string", "enum": list(FORMATS)}, "JSON (the default of `/name`) or CSV (of `/name.csv`).")
CSV_CONTENT = {"text/csv": {"schema": {"type": "string", "description": "A header row, then one row per line; no numbers."}}}
BAD_PERIOD = "A bad `from`, `to` or `format`: the message names it."

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


def report_route(name: str, schema: type[Schema]):
    """`/name` (JSON unless ?format=csv) and `/name.csv`, for supervisors and admins: the JSON
    answer is `schema`'s, the CSV one the same figures a row per line. The view's docstring is
    the operation's summary."""

    def register(view: Callable) -> Callable:
        described = bp.response(200, schema, description="The report.")(view)
        described = bp.doc(responses={200: {"content": CSV_CONTENT}})(described)
        described = bp.refuses(400, BAD_PERIOD)(described)
        guarded = roles_required(*SUPERVISING_ROLES)(described)
        parameters = [*PERIOD_PARAMETERS, FORMAT_PARAMETER]
        bp.add_url_rule(f"/{name}", view_func=guarded, endpoint=name, defaults={"as_csv": False}, parameters=parameters)
        bp.add_url_rule(f"/{name}.csv", view_func=guarded, endpoint=f"{name}_csv", defaults={"as_csv": True}, parameters=parameters)
        return guarded

    return register


def summary_json(period: Period, thresholds: Thresholds) -> dict:
    return {
        **summarize(period.start_utc, period.end_utc, **thresholds.counting()),
        "target": thresholds.service_level_target,
        "period": period.as_json(),
    }


@report_route("summary", SummarySchema)
def summary(as_csv: bool):
    """Offered, answered, abandoned, service level and times of a period"""
    period, thresholds, csv_wanted = period_or_400(), thresholds_in_force(), wants_csv(as_csv)
    report = summary_json(period, thresholds)
    if not csv_wanted:
        return {**report, "period": period}
    rows = [(key, value) for key, value in report.items() if not isinstance(value, dict)]
    rows += [(f"by_category.{key}", count) for key, count in report["by_category"].items()]
    rows += [(f"period.{key}", value) for key, value in report["period"].items()]
    return csv_download("summary", period, ("metric", "value"), rows)


@report_route("counselors", CounselorsSchema)
def counselors(as_csv: bool):
    """Each counselor's handled calls, handle time and occupancy"""
    period, csv_wanted = period_or_400(), wants_csv(as_csv)
    report = per_counselor(period.start_utc, period.end_utc, now=clock.now())
    if csv_wanted:
        return csv_download("counselors", period, COUNSELOR_COLUMNS, csv_export.dict_rows(COUNSELOR_COLUMNS, report))
    return {"counselors": report, "period": period}


@report_route("breakdown", BreakdownSchema)
def breakdown(as_csv: bool):
    """Calls by category, outcome and risk level"""
    period, csv_wanted = period_or_400(), wants_csv(as_csv)
    report = by_category_outcome_risk(period.start_utc, period.end_utc)
    if csv_wanted:
        return csv_download("breakdown", period, BREAKDOWN_COLUMNS, csv_export.dict_rows(BREAKDOWN_COLUMNS, report))
    return {"rows": report, "period": period}


@report_route("hours", HoursSchema)
def hours(as_csv: bool):
    """Calls by local hour of day and day of week"""
    period, thresholds, csv_wanted = period_or_400(), thresholds_in_force(), wants_csv(as_csv)
    report = by_hour_and_weekday(
        period.start_utc, period.end_utc, utc_offset_minutes=period.utc_offset_minutes, **thresholds.counting()
    )
    if csv_wanted:
        return csv_download("hours", period, HOUR_COLUMNS, csv_export.dict_rows(HOUR_COLUMNS, hour_cells(report)))
    return {**report, "period": period, "thresholds": thresholds.as_json()}


def hour_cells(report: dict) -> list[dict]:
    days = {row["weekday"]: row["day"] for row in report["weekdays"]}
    return [{**cell, "day": days[cell["weekday"]]} for cell in report["cells"]]


@report_route("trend", TrendSchema)
def trend(as_csv: bool):
    """Each day of the period"""
    period, thresholds, csv_wanted = period_or_400(), thresholds_in_force(), wants_csv(as_csv)
    report = daily(period, **thresholds.counting())
    if csv_wanted:
        return csv_download("trend", period, TREND_COLUMNS, csv_export.dict_rows(TREND_COLUMNS, report))
    return {"days": report, "period": period, "thresholds": thresholds.as_json()}


@bp.get("/calls.csv", parameters=list(PERIOD_PARAMETERS))
@roles_required(*SUPERVISING_ROLES)
@bp.doc(responses={200: {"description": "The calls.", "content": CSV_CONTENT}})
@bp.refuses(400, BAD_PERIOD)
def calls_csv():
    """Every call of the period, one row each, without numbers"""
    period = period_or_400()
    return csv_download("calls", period, csv_export.CALL_COLUMNS, csv_export.calls_in(period))
