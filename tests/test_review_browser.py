"""The review pages in a real browser (Debian's Chromium, driven by Playwright): from the list
of high-risk calls to the call page, the reveal with its reason, and the audit log."""

import re
from datetime import timedelta

from helpline import clock
from helpline.db import db
from helpline.models import Call, User
from tests.support.browser import expect, needs_browser
from tests.support.review import NUMBER, make_call
from tests.support.servers import serving
from tests.support.users import PASSWORD

REASON = "Emergency services need the number to reach the caller"

pytestmark = needs_browser


def test_a_supervisor_reviews_a_high_risk_call_and_reveals_the_number(app, auth, provider, browser):
    auth.create("supervisor1", "supervisor", PASSWORD)
    with app.app_context():
        db.session.scalar(db.select(User).where(User.username == "supervisor1")).language = "en"
        db.session.commit()
    call_sid = make_call(app, provider, risk_level="imminent", categories=["anxiety"], started_at=clock.now() - timedelta(hours=1))
    with app.app_context():
        masked = db.session.get(Call, call_sid).caller_masked

    with serving(app) as base_url:
        # English pages for the anonymous too (the login page), whatever the default language.
        context = browser.new_context(base_url=base_url, locale="en-US")
        try:
            page = context.new_page()
            page.goto("/review")
            page.get_by_label("Username").fill("supervisor1")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            expect(page).to_have_url(re.compile(r"/review$"))
            high_risk = page.locator("#high-risk-calls")
            expect(high_risk).to_contain_text("Anxiety and worry")
            expect(high_risk).to_contain_text("Imminent danger")

            high_risk.get_by_role("link", name=call_sid).click()
            expect(page).to_have_url(re.compile(rf"/calls/{call_sid}$"))
            expect(page.locator("#caller-masked")).to_have_text(masked)
            expect(page.locator("body")).not_to_contain_text(NUMBER)

            # Without a reason: told so, next to the field, and no number.
            page.get_by_role("button", name="Reveal the caller's number").click()
            expect(page.locator("#reveal-reason-error")).to_have_text("Give a reason for revealing the number.")
            expect(page.get_by_label("Reason")).to_have_attribute("aria-invalid", "true")
            expect(page.locator("body")).not_to_contain_text(NUMBER)

            page.get_by_label("Reason").fill(REASON)
            page.get_by_role("button", name="Reveal the caller's number").click()
            expect(page.locator("#revealed-number")).to_have_text(NUMBER)

            page.get_by_role("link", name="Who has revealed this caller's number").click()
            entries = page.locator("#audit-entries")
            expect(entries).to_contain_text(REASON)
            expect(entries).to_contain_text("supervisor1")
            expect(page.locator("body")).not_to_contain_text(NUMBER)
        finally:
            context.close()
