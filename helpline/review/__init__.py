"""Supervisors' review of calls (supervisors and admins only).

- `/review`: calls logged high or imminent risk in a period, and follow-ups due;
- `/calls/<call_sid>`: one call's record, its counselor's log and its webhook journal;
- the audited reveal of a caller's number, as a form on the call page and as
  `POST /api/calls/<call_sid>/reveal`;
- `/audit`: the audit log.

`bp` holds the pages, whose forms carry CSRF tokens; `api_bp` the JSON reveal, exempt from
CSRF like the rest of the JSON API (it relies on the SameSite=Lax session cookie).
"""

from flask import Blueprint

bp = Blueprint("review", __name__)
api_bp = Blueprint("review_api", __name__, url_prefix="/api")

REVIEWERS = ("supervisor", "admin")

# The routes attach themselves to the blueprints above.
from helpline.review import audit, call_page, overview, reveal, templating  # noqa: E402, F401

__all__ = ["REVIEWERS", "api_bp", "bp"]
