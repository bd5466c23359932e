"""`/audit`: the audit log, newest first, filtered by user and by call."""

from flask import abort, render_template, request
from flask_babel import gettext as _

from helpline.auth import roles_required
from helpline.models import SUPERVISING_ROLES
from helpline.periods import or_400, requested_page
from helpline.review import queries
from helpline.review.blueprints import bp
from helpline.telephony.twilio.webhook_checks import CALL_SID


def call_filter() -> str | None:
    call_sid = request.args.get("call", "").strip()
    if not call_sid:
        return None
    if not CALL_SID.fullmatch(call_sid):
        abort(400, _("call must be a CallSid: CA and 32 hex digits."))
    return call_sid


def user_filter() -> tuple[str | None, int | None]:
    username = request.args.get("user", "")
    if not username:
        return None, None
    user_id = queries.user_id_named(username)
    if user_id is None:
        abort(400, _("There is no user %(username)s.", username=username))
    return username, user_id


@bp.get("/audit")
@roles_required(*SUPERVISING_ROLES)
def audit_log():
    username, user_id = user_filter()
    call_sid, page = call_filter(), or_400(requested_page, worded=True)
    entries, total = queries.audit_entries(user_id, call_sid, page)
    return render_template(
        "review/audit.html",
        entries=entries,
        total=total,
        page=page,
        username=username,
        call_sid=call_sid,
        usernames=queries.audit_usernames(),
    )
