"""One call's page: the record, the counselor's log, the reveal form and the webhook journal."""

from flask import abort, render_template
from flask_babel import gettext as _

from helpline.auth import roles_required
from helpline.models import SUPERVISING_ROLES, CallEvent
from helpline.review import queries
from helpline.review.blueprints import bp
from helpline.review.number_reveal import MAX_REASON, TYPICAL_REASONS, Reveal

JournalRow = tuple[CallEvent, dict]


def split_journal(events: list[CallEvent]) -> tuple[dict, list[JournalRow]]:
    """The parameters every event carries with the same value (the account, the line's number,
    the direction…), to show once; and each event with the rest of its parameters."""
    if len(events) < 2:
        return {}, [(event, event.params or {}) for event in events]
    common = dict(events[0].params or {})
    for event in events[1:]:
        params = event.params or {}
        common = {name: value for name, value in common.items() if name in params and params[name] == value}
    return common, [
        (event, {name: value for name, value in (event.params or {}).items() if name not in common}) for event in events
    ]


def render_call_page(call_sid: str, reveal: Reveal | None = None, reason: str = "", reason_error: str | None = None) -> str:
    """The page; with `reveal`, the outcome of a reveal just recorded (the number, if any)."""
    row = queries.call_with_counselor(call_sid)
    if row is None:
        abort(404, _("No such call."))
    call, counselor = row
    common_params, journal = split_journal(queries.call_journal(call_sid))
    return render_template(
        "review/call.html",
        call=call,
        counselor=counselor,
        common_params=common_params,
        journal=journal,
        reveal=reveal,
        reason=reason,
        reason_error=reason_error,
        typical_reasons=TYPICAL_REASONS,
        max_reason=MAX_REASON,
    )


@bp.get("/calls/<call_sid>")
@roles_required(*SUPERVISING_ROLES)
def call_page(call_sid: str):
    return render_call_page(call_sid)
