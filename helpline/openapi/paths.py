"""The operations whose views do not yet declare their schemas (the reports, the labels and the
menu), described by hand; helpline.openapi adds them to the generated document."""

from helpline.in_force.thresholds import THRESHOLDS
from helpline.menu import PROMPT_NAMES
from helpline.models import ROLES, SUPERVISING_ROLES
from helpline.openapi.building import CSV_CONTENT, DAY, JSON, STRING, answer, maybe, obj, operation, path_parameter, query_parameter, ref, with_script_header
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
    **report_operations(),
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
}

with_script_header(PATHS)
