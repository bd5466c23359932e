"""Supervisors' review of calls (supervisors and admins only).

- `/review`: calls logged high or imminent risk in a period, and follow-ups due;
- `/calls/<call_sid>`: one call's record, its counselor's log and its webhook journal;
- the audited reveal of a caller's number, as a form on the call page and as
  `POST /api/calls/<call_sid>/reveal`;
- `/audit`: the audit log.

    blueprints.py   `bp` holds the pages, whose forms carry CSRF tokens; `api_bp` the JSON reveal
                    (exempt from CSRF like the rest of the JSON API); every module adds routes
    routes.py       imports the views, so registering its blueprints registers them all

This package's `__init__` imports nothing, as the administration's does.
"""
