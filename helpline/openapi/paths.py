"""Every operation under /api/ (`paths`), with its parameters, bodies, answers and roles."""

from helpline.in_force.thresholds import THRESHOLDS
from helpline.menu import PROMPT_NAMES
from helpline.models import PRESENCE_STATES, ROLES, SUPERVISING_ROLES
from helpline.openapi.building import (
    BOOLEAN,
    COUNT,
    CSV_CONTENT,
    DAY,
    JSON,
    NUMBER,
    STAMP,
    STRING,
    answer,
    maybe,
    obj,
    operation,
    path_parameter,
    query_parameter,
    ref,
    with_script_header,
)
from helpline.taxonomy import LANGUAGES

ANY_ROLE = ROLES

CALL_SID = path_parameter("call_sid", STRING, "The provider's CallSid (`CA` and 32 hex digits).")
LANG = query_parameter("lang", {"type": "string", "enum": list(LANGUAGES)}, "Labels in this language; the user's own by default.")
# An empty value is no value (a form's empty date field).
DAY_OR_EMPTY = {"anyOf": [DAY, {"type": "string", "maxLength": 0}]}
PERIOD = (
    query_parameter("from", DAY_OR_EMPTY, "First local day (YYYY-MM-DD); six days before `to` by default."),
    query_parameter("to", DAY_OR_EMPTY, "Last local day, included; today by default (or `from`, when later). At most 366 days."),
)
FORMAT = query_parameter("format", {"type": "string", "enum": ["json", "csv"]}, "JSON (the default of `/name`) or CSV (of `/name.csv`).")
THRESHOLD_KEY = path_parameter("key", {"type": "string", "enum": sorted(THRESHOLDS)}, "The threshold.")
LABEL_KEY = path_parameter("key", STRING, "A key of the taxonomy (a category, call type, outcome or risk level).")

BAD_PERIOD = answer("A bad `from`, `to` or `format`: the message names it.")
PROVIDER_DOWN = answer("The provider did not redirect the caller; the caller is still in the queue.")

REPORTS = {
    "summary": ("Offered, answered, abandoned, service level and times of a period", "Summary"),
    "counselors": ("Each counselor's handled calls, handle time and occupancy", "Counselors"),
    "breakdown": ("Calls by category, outcome and risk level", "Breakdown"),
    "hours": ("Calls by local hour of day and day of week", "Hours"),
    "trend": ("Each day of the period", "Trend"),
}


def report_operations() -> dict:
    paths = {}
    for name, (summary, schema) in REPORTS.items():
        for path, default in ((f"/api/reports/{name}", "JSON"), (f"/api/reports/{name}.csv", "CSV")):
            paths[path] = {
                "get": operation(
                    f"{summary} ({default} unless `format` says otherwise)",
                    SUPERVISING_ROLES,
                    {
                        "200": {"description": "The report.", "content": {JSON: {"schema": ref(schema)}, **CSV_CONTENT}},
                        "400": BAD_PERIOD,
                    },
                    parameters=(*PERIOD, FORMAT),
                )
            }
    paths["/api/reports/calls.csv"] = {
        "get": operation(
            "Every call of the period, one row each, without numbers",
            SUPERVISING_ROLES,
            {"200": {"description": "The calls.", "content": CSV_CONTENT}, "400": BAD_PERIOD},
            parameters=PERIOD,
        )
    }
    return paths


PATHS = {
    "/api/openapi.json": {
        "get": operation("This document", None, {"200": answer("The OpenAPI document.", {"type": "object"})})
    },
    "/api/login": {
        "post": operation(
            "Log in: the answer sets the session cookie",
            None,
            {
                "200": answer("Logged in.", obj({"username": STRING, "role": {"type": "string", "enum": list(ROLES)}})),
                "400": answer("No username or password."),
                "401": answer("Wrong username or password, or a deactivated account."),
                "429": answer(
                    "Too many attempts from this address (10 a minute), or failed ones to this account (20 an hour)."
                ),
            },
            body=obj({"username": STRING, "password": STRING}, extra=True),
        )
    },
    "/api/logout": {
        "post": operation(
            "Log out: offline, and every socket of the user closed", ANY_ROLE, {"200": answer("Logged out.", obj({"logged_out": {"const": True}}))}
        )
    },
    "/api/me": {"get": operation("The user, their presence and their current call", ANY_ROLE, {"200": answer("The user.", ref("Me"))})},
    "/api/me/language": {
        "put": operation(
            "Choose the user's language",
            ANY_ROLE,
            {"200": answer("Chosen.", obj({"language": {"type": "string", "enum": list(LANGUAGES)}})), "400": answer("Not a language.")},
            body=obj({"language": {"type": "string", "enum": list(LANGUAGES)}}, extra=True),
        )
    },
    "/api/taxonomy": {
        "get": operation(
            "The values a call log takes, labelled",
            ANY_ROLE,
            {"200": answer("The taxonomy.", ref("Taxonomy")), "400": answer("Not a language.")},
            parameters=(LANG,),
        )
    },
    "/api/queue": {"get": operation("The callers waiting, in the order they will be served", ANY_ROLE, {"200": answer("The queue.", ref("Queue"))})},
    "/api/queue/take": {
        "post": operation(
            "Take the caller at the head of the queue",
            ("counselor",),
            {
                "200": answer("Taken: the provider is connecting the caller.", ref("Call")),
                "409": answer("The counselor is not available, or no caller is waiting."),
                "502": PROVIDER_DOWN,
            },
        )
    },
    "/api/calls": {
        "get": operation(
            "Calls that started in a period of local days, newest first: a counselor's own, every call for supervisors and admins",
            ANY_ROLE,
            {
                "200": answer("A page of calls.", obj({"calls": {"type": "array", "items": ref("Call")}, "total": COUNT})),
                "400": answer("A bad `from`, `to`, `page` or `per_page`: the message names it."),
            },
            parameters=(
                query_parameter("from", DAY_OR_EMPTY, "First local day (YYYY-MM-DD); `to` by default."),
                query_parameter("to", DAY_OR_EMPTY, "Last local day, included; today by default (or `from`, when later)."),
                query_parameter("page", {"type": "integer", "minimum": 1, "maximum": 100_000}, "Page number."),
                query_parameter("per_page", {"type": "integer", "minimum": 1, "maximum": 200}, "Calls a page (50)."),
            ),
        )
    },
    "/api/calls/{call_sid}": {
        "get": operation(
            "One call (a counselor's own; any, for supervisors and admins)",
            ANY_ROLE,
            {"200": answer("The call.", ref("Call")), "403": answer("A call another counselor handled."), "404": answer("No such call.")},
            parameters=(CALL_SID,),
        ),
        "patch": operation(
            "The counselor's log of a call (drafts too)",
            ("counselor",),
            {
                "200": answer("Saved.", ref("Call")),
                "400": answer("A bad field, named in `field`."),
                "403": answer("Another role, or a call another counselor handled."),
                "404": answer("No such call."),
            },
            parameters=(CALL_SID,),
            body=ref("CallLog"),
        ),
    },
    "/api/calls/{call_sid}/take": {
        "post": operation(
            "Take this caller",
            ("counselor",),
            {
                "200": answer("Taken: the provider is connecting the caller.", ref("Call")),
                "404": answer("No such call."),
                "409": answer("The counselor is not available, or another counselor took the caller first."),
                "502": PROVIDER_DOWN,
            },
            parameters=(CALL_SID,),
        )
    },
    "/api/calls/{call_sid}/reveal": {
        "post": operation(
            "Reveal the caller's number, with a reason; writes an audit record",
            SUPERVISING_ROLES,
            {
                "200": answer(
                    "The number (null unless `result` is `revealed`).",
                    obj({"number": maybe(STRING), "result": {"type": "string", "enum": ["revealed", "withheld", "none", "unreadable"]}}),
                ),
                "400": answer("No reason, or a bad one."),
                "404": answer("No such call."),
                "429": answer("Too many reveals by this user (20 an hour)."),
            },
            parameters=(CALL_SID,),
            body=obj({"reason": {"type": "string", "minLength": 1}}, extra=True),
        )
    },
    "/api/presence": {
        "get": operation(
            "Every active counselor's presence",
            ANY_ROLE,
            {
                "200": answer(
                    "Counselors by name.",
                    obj({"counselors": {"type": "array", "items": obj({"username": STRING, "state": {"type": "string", "enum": list(PRESENCE_STATES)},
                                                                 "since": STAMP})}}),
                )
            },
        ),
        "put": operation(
            "Set the counselor's own state (`on_call` is the service's to set)",
            ("counselor",),
            {
                "200": answer("The state.", ref("Presence")),
                "400": answer("Not a state."),
                "409": answer("Not now: on a call, a log to complete first, or `on_call` asked for."),
            },
            body=obj({"state": {"type": "string", "enum": list(PRESENCE_STATES)}}, extra=True),
        ),
    },
    "/api/wallboard": {"get": operation("The wallboard's figures", SUPERVISING_ROLES, {"200": answer("The figures.", ref("Wallboard"))})},
    **report_operations(),
    "/api/admin/users": {
        "get": operation("Every account", ("admin",), {"200": answer("The accounts.", obj({"users": {"type": "array", "items": ref("User")}}))}),
        "post": operation(
            "Create an account",
            ("admin",),
            {"201": answer("Created.", ref("User")), "400": answer("A bad field, named in `field`.")},
            body=obj(
                {
                    "username": {"type": "string", "minLength": 1, "maxLength": 64},
                    "password": {"type": "string", "minLength": 10, "maxLength": 256},
                    "role": {"type": "string", "enum": list(ROLES)},
                },
                {"language": {"type": "string", "enum": list(LANGUAGES)}, "phone_number": maybe({"type": "string", "pattern": r"^\+[1-9][0-9]{6,14}$"})},
            ),
        ),
    },
    "/api/admin/users/{user_id}": {
        "patch": operation(
            "Change an account",
            ("admin",),
            {
                "200": answer("Changed.", ref("User")),
                "400": answer("A bad field, named in `field`."),
                "404": answer("No such user."),
                "409": answer("A rule the change breaks (your own role or account, the last active admin).", ref("Error")),
            },
            parameters=(path_parameter("user_id", {"type": "integer", "minimum": 0}, "The account's id (404 past the ids the database holds)."),),
            body=obj(
                {},
                {
                    "active": BOOLEAN,
                    "role": {"type": "string", "enum": list(ROLES)},
                    "password": {"type": "string", "minLength": 10, "maxLength": 256},
                    "language": {"type": "string", "enum": list(LANGUAGES)},
                    "phone_number": maybe({"type": "string", "pattern": r"^\+[1-9][0-9]{6,14}$"}),
                },
            ),
        )
    },
    "/api/admin/labels": {
        "get": operation(
            "The taxonomy's labels in force, and those an admin changed",
            ("admin",),
            {
                "200": answer(
                    "Labels by key.",
                    obj({"labels": {"type": "object", "additionalProperties": ref("Labels")},
                         "changed": {"type": "object", "additionalProperties": ref("Labels")}}),
                )
            },
        )
    },
    "/api/admin/labels/{key}": {
        "put": operation(
            "Change an entry's labels (null: the file's label again)",
            ("admin",),
            {"200": answer("The entry.", ref("LabelEntry")), "400": answer("A bad label, its language in `field`."), "404": answer("No such key.")},
            parameters=(LABEL_KEY,),
            body=obj({}, {language: maybe({"type": "string", "minLength": 1, "maxLength": 120}) for language in LANGUAGES}),
        ),
        "delete": operation(
            "The file's labels again", ("admin",), {"200": answer("The entry.", ref("LabelEntry")), "404": answer("No such key.")}, parameters=(LABEL_KEY,)
        ),
    },
    "/api/admin/menu": {
        "get": operation("The phone menu in force", ("admin",), {"200": answer("The menu.", ref("Menu"))}),
        "delete": operation("The file's menu again", ("admin",), {"200": answer("The menu.", ref("Menu"))}),
    },
    "/api/admin/menu/keys": {
        "put": operation(
            "The whole key mapping: digits to top-level categories (null: no category)",
            ("admin",),
            {"200": answer("The menu.", ref("Menu")), "400": answer("A bad key or category, named in `field`.")},
            body={"type": "object", "propertyNames": {"pattern": "^[0-9]$"}, "additionalProperties": maybe(STRING)},
        )
    },
    "/api/admin/menu/prompts/{code}/{name}": {
        "put": operation(
            "One prompt of one language",
            ("admin",),
            {
                "200": answer("The menu.", ref("Menu")),
                "400": answer("A bad prompt or text, named in `field`."),
                "404": answer("The menu has no such language."),
            },
            parameters=(
                path_parameter("code", STRING, "A language of the menu."),
                path_parameter("name", {"type": "string", "enum": list(PROMPT_NAMES)}, "The prompt."),
            ),
            body=ref("Prompt"),
        )
    },
    "/api/admin/thresholds": {
        "get": operation("Thresholds and targets in force", ("admin",), {"200": answer("By key.", obj({key: ref("Threshold") for key in THRESHOLDS}))})
    },
    "/api/admin/thresholds/{key}": {
        "put": operation(
            "Save a threshold",
            ("admin",),
            {"200": answer("The threshold.", ref("Threshold")), "400": answer("Outside its limits."), "404": answer("No such threshold.")},
            parameters=(THRESHOLD_KEY,),
            body=obj({"value": NUMBER}),
        ),
        "delete": operation(
            "The default again",
            ("admin",),
            {"200": answer("The threshold.", ref("Threshold")), "404": answer("No such threshold.")},
            parameters=(THRESHOLD_KEY,),
        ),
    },
}

with_script_header(PATHS)
