"""`/review`: the calls that need a supervisor's eye, high-risk calls and follow-ups due."""

from flask import render_template

from helpline.auth import roles_required
from helpline.models import SUPERVISING_ROLES
from helpline.review import queries
from helpline.review.arguments import local_today, page_arg, period_args
from helpline.review.blueprints import bp


@bp.get("/review")
@roles_required(*SUPERVISING_ROLES)
def overview():
    period, today = period_args(), local_today()
    high_risk_page, follow_up_page = page_arg("page"), page_arg("follow_up_page")
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
