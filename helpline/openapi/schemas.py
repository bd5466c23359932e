"""The bodies of the hand-kept operations (helpline.openapi.paths)."""

from helpline.openapi.building import COUNT, DAY, INTEGER, RATIO, SECONDS, STAMP, STRING, maybe, obj, ref
from helpline.triage import PRIORITY_RANKS

PRIORITIES = list(PRIORITY_RANKS)
COUNTS = dict.fromkeys(("offered", "answered", "abandoned", "short_abandons", "answered_within_threshold"), COUNT)

SCHEMAS = {
    "Period": obj({"from": DAY, "to": DAY, "utc_offset_minutes": INTEGER, "start_utc": STAMP, "end_utc": STAMP}),
    "ReportThresholds": obj({"service_level_seconds": INTEGER, "short_abandon_seconds": INTEGER, "target": RATIO}),
    "Summary": obj(
        {
            **COUNTS,
            "service_level": RATIO,
            "abandonment_rate": RATIO,
            "average_speed_of_answer": SECONDS,
            "average_handle_time": SECONDS,
            "average_wrap_up": SECONDS,
            "repeat_callers": COUNT,
            "repeat_caller_rate": RATIO,
            "danger_now_offered": COUNT,
            "danger_now_service_level": RATIO,
            "by_category": {"type": "object", "additionalProperties": COUNT},
            "service_level_seconds": INTEGER,
            "short_abandon_seconds": INTEGER,
            "target": RATIO,
            "period": ref("Period"),
        }
    ),
    "Counselors": obj(
        {
            "counselors": {
                "type": "array",
                "items": obj(
                    {
                        "counselor": STRING,
                        "handled": COUNT,
                        "talk_seconds": {"type": "number", "minimum": 0},
                        "wrap_up_seconds": {"type": "number", "minimum": 0},
                        "average_handle_time": SECONDS,
                        "average_wrap_up": SECONDS,
                        "staffed_seconds": {"type": "number", "minimum": 0},
                        "occupancy": maybe(RATIO),
                    }
                ),
            },
            "period": ref("Period"),
        }
    ),
    "Breakdown": obj(
        {
            "rows": {
                "type": "array",
                "items": obj({"category": STRING, "outcome": maybe(STRING), "risk_level": maybe(STRING), "calls": COUNT}),
            },
            "period": ref("Period"),
        }
    ),
    "Hours": obj(
        {
            "hours": {"type": "array", "items": obj({"hour": INTEGER, **COUNTS, "service_level": RATIO}), "minItems": 24, "maxItems": 24},
            "weekdays": {
                "type": "array",
                "items": obj({"weekday": INTEGER, "day": STRING, **COUNTS, "service_level": RATIO}),
                "minItems": 7,
                "maxItems": 7,
            },
            "cells": {"type": "array", "items": obj({"hour": INTEGER, "weekday": INTEGER, **COUNTS})},
            "period": ref("Period"),
            "thresholds": ref("ReportThresholds"),
        }
    ),
    "Trend": obj(
        {
            "days": {"type": "array", "items": obj({"date": DAY, **COUNTS, "service_level": RATIO, "abandonment_rate": RATIO})},
            "period": ref("Period"),
            "thresholds": ref("ReportThresholds"),
        }
    ),
    "Labels": {"type": "object", "additionalProperties": STRING, "description": "Labels by language."},
    "LabelEntry": obj({"key": STRING, "labels": ref("Labels"), "changed": ref("Labels")}),
    "Prompt": {
        "oneOf": [obj({"say": STRING}), obj({"play": {"type": "string", "format": "uri"}})],
        "description": "Spoken text, or the URL of a recording.",
    },
    "Menu": obj(
        {
            "keys": {"type": "object", "additionalProperties": STRING, "description": "Categories by digit."},
            "emergency_key": STRING,
            "default_category": STRING,
            "languages": {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": ref("Prompt")}},
        }
    ),
}
