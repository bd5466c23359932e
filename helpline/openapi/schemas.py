"""The bodies the JSON API answers and accepts (`components/schemas`)."""

from helpline.models import PRESENCE_STATES, ROLES
from helpline.openapi.building import BOOLEAN, COUNT, DAY, INTEGER, NUMBER, RATIO, SECONDS, STAMP, STRING, maybe, obj, ref
from helpline.taxonomy import LANGUAGES, RISK_LEVELS
from helpline.triage import PRIORITY_RANKS

PRIORITIES = list(PRIORITY_RANKS)
COUNTS = dict.fromkeys(("offered", "answered", "abandoned", "short_abandons", "answered_within_threshold"), COUNT)

SCHEMAS = {
    "Error": obj(
        {"error": {"type": "string", "description": "One line saying what is wrong."}},
        {"field": {"type": "string", "description": "The body's field at fault, when one is."}},
    ),
    "Call": obj(
        {
            "call_sid": STRING,
            "status": maybe(STRING),
            "category": maybe(STRING),
            "priority": maybe({"type": "string", "enum": PRIORITIES}),
            "priority_reasons": {"type": "array", "items": STRING},
            "emergency": BOOLEAN,
            "queue_result": maybe(STRING),
            "abandoned": BOOLEAN,
            "wait_seconds": maybe(INTEGER),
            "duration_seconds": maybe(INTEGER),
            "counselor": maybe(STRING),
            "risk_level": maybe({"type": "string", "enum": list(RISK_LEVELS)}),
            "outcome": maybe(STRING),
            "notes": maybe(STRING),
            "repeat_caller": BOOLEAN,
            "language": maybe(STRING),
            "caller": maybe({"type": "string", "description": "Masked (`+98********67`), never the number."}),
            "started_at": maybe(STAMP),
            "enqueued_at": maybe(STAMP),
            "taken_at": maybe(STAMP),
            "answered_at": maybe(STAMP),
            "ended_at": maybe(STAMP),
            "talk_seconds": maybe(INTEGER),
            "call_type": maybe(STRING),
            "categories": {"type": "array", "items": STRING},
            "referral": maybe(STRING),
            "follow_up_on": maybe(DAY),
            "logged_at": maybe(STAMP),
            "log_complete": BOOLEAN,
        }
    ),
    "CallLog": {
        **obj(
            {},
            {
                "call_type": maybe(STRING),
                "categories": maybe({"type": "array", "items": STRING, "maxItems": 20, "uniqueItems": True}),
                "risk_level": maybe({"type": "string", "enum": list(RISK_LEVELS)}),
                "outcome": maybe(STRING),
                "referral": maybe({"type": "string", "maxLength": 200}),
                "notes": maybe({"type": "string", "maxLength": 20_000}),
                "follow_up_on": maybe({**DAY, "description": "Today or later."}),
            },
        ),
        "description": "Any of the fields: a draft. call_type, categories and outcome take the keys of "
        "`GET /api/taxonomy`; with call_type, categories, risk_level and outcome the log is complete.",
    },
    "QueueEntry": obj(
        {
            "call_sid": STRING,
            "category": maybe(STRING),
            "priority": {"type": "string", "enum": PRIORITIES},
            "priority_reasons": {"type": "array", "items": STRING},
            "emergency": BOOLEAN,
            "enqueued_at": STAMP,
            "waiting_seconds": INTEGER,
            "repeat_caller": BOOLEAN,
            "language": maybe(STRING),
            "caller": maybe(STRING),
        }
    ),
    "Queue": obj(
        {
            "version": {"type": "integer", "description": "Grows with every change of the queue."},
            "calls": {"type": "array", "items": ref("QueueEntry"), "description": "In the order callers will be served."},
            "stats": obj(
                {"waiting": COUNT, "longest_wait_seconds": INTEGER, "emergency_waiting": COUNT, "available_counselors": COUNT}
            ),
            "server_time": STAMP,
        }
    ),
    "Presence": obj({"state": {"type": "string", "enum": list(PRESENCE_STATES)}, "since": STAMP}),
    "Me": obj(
        {
            "username": STRING,
            "role": {"type": "string", "enum": list(ROLES)},
            "presence": ref("Presence"),
            "current_call": maybe(ref("Call")),
        }
    ),
    "TaxonomyEntry": obj({"key": STRING, "label": STRING}),
    "Taxonomy": obj(
        {
            "categories": {
                "type": "array",
                "items": obj(
                    {
                        "key": STRING,
                        "label": STRING,
                        "children": {"type": "array", "items": obj({"key": STRING, "label": STRING, "children": {"type": "array", "maxItems": 0}})},
                    }
                ),
            },
            "call_types": {"type": "array", "items": ref("TaxonomyEntry")},
            "outcomes": {"type": "array", "items": ref("TaxonomyEntry")},
            "risk_levels": {"type": "array", "items": ref("TaxonomyEntry")},
        }
    ),
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
    "Wallboard": obj(
        {
            "version": INTEGER,
            "queue": obj({"waiting": COUNT, "longest_wait_seconds": INTEGER, "emergency_waiting": COUNT}),
            "counselors": obj(dict.fromkeys(PRESENCE_STATES, COUNT)),
            "today": obj(
                {
                    "offered": COUNT,
                    "answered": COUNT,
                    "abandoned": COUNT,
                    "short_abandons": COUNT,
                    "service_level": maybe(RATIO),
                    "target": RATIO,
                    "service_level_seconds": INTEGER,
                }
            ),
            "server_time": STAMP,
        }
    ),
    "User": obj(
        {
            "id": INTEGER,
            "username": STRING,
            "role": {"type": "string", "enum": list(ROLES)},
            "active": BOOLEAN,
            "language": {"type": "string", "enum": list(LANGUAGES)},
            "phone_number": maybe(STRING),
            "presence": {"type": "string", "enum": list(PRESENCE_STATES)},
            "created_at": STAMP,
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
    "Threshold": obj(
        {"value": NUMBER, "default": NUMBER, "saved": BOOLEAN, "minimum": NUMBER, "maximum": NUMBER, "whole": BOOLEAN}
    ),
}

