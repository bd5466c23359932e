"""The reports' answers as schemas: they serialise each JSON report and describe it in the OpenAPI
document (the CSV forms hold the same figures, a row per line)."""

from marshmallow import Schema, fields

COUNT_NAMES = ("offered", "answered", "abandoned", "short_abandons", "answered_within_threshold")


def count():
    return fields.Integer(required=True, metadata={"minimum": 0})


def ratio(*, nullable: bool = False):
    return fields.Float(required=True, allow_none=nullable, metadata={"minimum": 0, "maximum": 1})


def seconds():
    """Seconds, or null where nothing was counted."""
    return fields.Float(required=True, allow_none=True, metadata={"minimum": 0})


def quantity():
    return fields.Float(required=True, metadata={"minimum": 0})


def counts() -> dict:
    return {name: count() for name in COUNT_NAMES}


def day():
    return fields.String(required=True, metadata={"format": "date"})


class PeriodSchema(Schema):
    """A `helpline.periods.Period`."""

    first = fields.Date(required=True, data_key="from")
    last = fields.Date(required=True, data_key="to")
    utc_offset_minutes = fields.Integer(required=True)
    start_utc = fields.DateTime(required=True)
    end_utc = fields.DateTime(required=True)


class ReportThresholdsSchema(Schema):
    service_level_seconds = fields.Integer(required=True)
    short_abandon_seconds = fields.Integer(required=True)
    target = ratio()


def with_period(**declared) -> dict:
    return {**declared, "period": fields.Nested(PeriodSchema, required=True)}


SummarySchema = Schema.from_dict(
    with_period(
        **counts(),
        service_level=ratio(),
        abandonment_rate=ratio(),
        average_speed_of_answer=seconds(),
        average_handle_time=seconds(),
        average_wrap_up=seconds(),
        repeat_callers=count(),
        repeat_caller_rate=ratio(),
        danger_now_offered=count(),
        danger_now_service_level=ratio(),
        by_category=fields.Dict(keys=fields.String(), values=fields.Integer(), required=True),
        service_level_seconds=fields.Integer(required=True),
        short_abandon_seconds=fields.Integer(required=True),
        target=ratio(),
    ),
    name="Summary",
)

CounselorRowSchema = Schema.from_dict(
    {
        "counselor": fields.String(required=True),
        "handled": count(),
        "talk_seconds": quantity(),
        "wrap_up_seconds": quantity(),
        "average_handle_time": seconds(),
        "average_wrap_up": seconds(),
        "staffed_seconds": quantity(),
        "occupancy": ratio(nullable=True),
    },
    name="CounselorRow",
)
CounselorsSchema = Schema.from_dict(
    with_period(counselors=fields.List(fields.Nested(CounselorRowSchema), required=True)), name="Counselors"
)

BreakdownRowSchema = Schema.from_dict(
    {
        "category": fields.String(required=True),
        "outcome": fields.String(required=True, allow_none=True),
        "risk_level": fields.String(required=True, allow_none=True),
        "calls": count(),
    },
    name="BreakdownRow",
)
BreakdownSchema = Schema.from_dict(with_period(rows=fields.List(fields.Nested(BreakdownRowSchema), required=True)), name="Breakdown")

HourSchema = Schema.from_dict({"hour": fields.Integer(required=True), **counts(), "service_level": ratio()}, name="Hour")
WeekdaySchema = Schema.from_dict(
    {"weekday": fields.Integer(required=True), "day": fields.String(required=True), **counts(), "service_level": ratio()},
    name="Weekday",
)
HourCellSchema = Schema.from_dict(
    {"hour": fields.Integer(required=True), "weekday": fields.Integer(required=True), **counts()}, name="HourCell"
)
HoursSchema = Schema.from_dict(
    with_period(
        hours=fields.List(fields.Nested(HourSchema), required=True, metadata={"minItems": 24, "maxItems": 24}),
        weekdays=fields.List(fields.Nested(WeekdaySchema), required=True, metadata={"minItems": 7, "maxItems": 7}),
        cells=fields.List(fields.Nested(HourCellSchema), required=True),
        thresholds=fields.Nested(ReportThresholdsSchema, required=True),
    ),
    name="Hours",
)

TrendDaySchema = Schema.from_dict(
    {"date": day(), **counts(), "service_level": ratio(), "abandonment_rate": ratio()}, name="TrendDay"
)
TrendSchema = Schema.from_dict(
    with_period(days=fields.List(fields.Nested(TrendDaySchema), required=True), thresholds=fields.Nested(ReportThresholdsSchema, required=True)),
    name="Trend",
)
