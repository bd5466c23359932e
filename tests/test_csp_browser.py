"""Every page under the Content-Security-Policy in a real browser (Debian's Chromium, driven by
Playwright): nothing a page needs is blocked, and what the policy is for (an injected inline
script or handler) is."""

import re

import pytest
from sqlalchemy import select

from helpline import clock
from helpline.db import db
from helpline.models import Call, User
from tests.support.browser import expect, needs_browser
from tests.support.provider import new_call_sid
from tests.support.servers import serving
from tests.support.users import PASSWORD

PAGES = ("/dashboard", "/wallboard", "/reports", "/review", "/audit", "/admin", "/admin/users", "/admin/menu", "/admin/thresholds", "/admin/labels")

pytestmark = needs_browser

# Each violation the page reports, kept where the test reads it.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " " + event.sourceFile + ":" + event.lineNumber);
});
"""


def seed(app, auth) -> str:
    auth.create("admin1", "admin", PASSWORD)
    call_sid = new_call_sid()
    with app.app_context():
        admin_id = db.session.scalar(select(User.id).where(User.username == "admin1"))
        now = clock.now()
        db.session.add(Call(call_sid=call_sid, started_at=now, enqueued_at=now, taken_at=now, ended_at=now, counselor_id=admin_id,
                            risk_level="imminent", categories=["anxiety"], notes="notes", caller_masked="+98********67"))  # fmt: skip
        db.session.commit()
    return call_sid


@pytest.mark.parametrize("language", ["en", "fa"])
def test_no_page_breaks_the_policy(app, auth, browser, language):
    call_sid = seed(app, auth)
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "admin1")).language = language
        db.session.commit()
    with serving(app, check_threads=False) as base_url:
        context = browser.new_context(base_url=base_url, locale="en-US")
        context.add_init_script(RECORD_VIOLATIONS)
        messages = []
        try:
            page = context.new_page()
            page.on("console", lambda message: messages.append(message.text) if "Content Security Policy" in message.text else None)
            page.goto("/login")
            page.locator("input[name=username]").fill("admin1")
            page.locator("input[name=password]").fill(PASSWORD)
            page.locator("button[type=submit], input[type=submit]").first.click()
            expect(page).to_have_url(re.compile(r"/dashboard$"))
            for path in (*PAGES, f"/calls/{call_sid}"):
                response = page.goto(path)
                assert response.status == 200, path
                page.wait_for_load_state("networkidle")
                assert page.evaluate("window.__violations") == [], path
            # The dashboard's own scripts ran: its socket brought the queue.
            page.goto("/dashboard")
            expect(page.locator("#queue-title")).to_be_visible()
            # The styles of the review pages came from their file.
            page.goto("/review")
            assert page.evaluate("getComputedStyle(document.querySelector('.review-page')).display") == "grid"
            assert messages == []

            # What the policy is for: an inline script or handler slipped into a page does not run.
            page.evaluate("""() => {
                const script = document.createElement("script");
                script.textContent = "window.__ran = 'script'";
                document.body.appendChild(script);
                document.body.insertAdjacentHTML("beforeend", '<img src="/no-such-image" onerror="window.__ran = \\'handler\\'">');
            }""")
            page.wait_for_timeout(300)
            assert page.evaluate("window.__ran") is None
            assert any(violation.startswith("script-src") for violation in page.evaluate("window.__violations"))
        finally:
            context.close()
