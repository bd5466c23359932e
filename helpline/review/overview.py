"""`/review`: the calls that need a supervisor's eye, high-risk calls and follow-ups due."""

from flask import render_template

from helpline.auth import roles_required
from helpline.models import SUPERVISING_ROLES
from helpline.periods import local_today, or_400, requested_page, requested_period
from helpline.review import queries
from helpline.review.blueprints import bp


@bp.get("/review")
@roles_required(*SUPERVISING_ROLES)
def overview():
    period, today = or_400(requested_period, worded=True), local_today()
    high_risk_page = or_400(requested_page, worded=True)
    follow_up_page = or_400(lambda: requested_page("follow_up_page"), worded=True)
    high_risk, high_risk_total = queries.high_risk_calls(period, high_risk_page)
    follow_ups, follow_up_total = queries.follow_ups_due(today, follow_up_page)
    return render_template(
        "review/overview.html",
        period=period,
        today=today,
        high_risk=high_risk,
        high_risk_total=high_risk_total,
        high_risk_page=high_risk_page,
        follow_ups=follow_ups,
        follow_up_total=follow_up_total,
        follow_up_page=follow_up_page,
    )
