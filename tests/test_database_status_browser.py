"""The database unreachable, in Chromium: the dashboard and the wallboard say so while webhooks
are being spooled (since when, how many wait), and stop saying so once they are recorded."""

import re

from sqlalchemy import func, select

from helpline.db import db
from helpline.models import SocketConnection
from tests.support.browser import STEP_MS, expect, needs_browser, new_page, serving_pages
from tests.support.provider import HttpProvider, Provider, new_call_sid
from tests.support.servers import wait_for
from tests.support.users import PASSWORD, AuthActions

pytestmark = needs_browser

BANNER = re.compile(r"The database has been unreachable for \d+:\d\d: 2 provider events wait to be recorded\. Callers are still being queued")


def logged_in_page(browser, base_url: str, errors: list, username: str, path: str):
    page = new_page(browser, base_url, errors)
    page.goto(path)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(rf"{path}$"))
    expect(page.locator("#connection")).to_have_text("Live")
    return page


def test_the_dashboard_and_the_wallboard_say_while_the_database_is_unreachable(fragile_app, outage, browser):
    auth = AuthActions(fragile_app.test_client(), fragile_app)
    auth.create("counselor1", "counselor")
    auth.create("supervisor1", "supervisor")
    errors = []
    with serving_pages(fragile_app) as base_url:
        dashboard = logged_in_page(browser, base_url, errors, "counselor1", "/dashboard")
        wallboard = logged_in_page(browser, base_url, errors, "supervisor1", "/wallboard")
        for page in (dashboard, wallboard):
            expect(page.locator("#database-status")).to_be_hidden()
        provider = HttpProvider(base_url, fragile_app.config["TWILIO_AUTH_TOKEN"])
        call_sid = new_call_sid()
        with outage.down():
            provider.post("/twilio/voice?lang=en", Provider.params(call_sid, CallStatus="ringing"))
            provider.post("/twilio/menu?attempt=1&lang=en", Provider.params(call_sid, CallStatus="in-progress", Digits="9"))
            for page in (dashboard, wallboard):
                expect(page.locator("#database-status")).to_have_text(BANNER, timeout=STEP_MS)
        for page in (dashboard, wallboard):
            expect(page.locator("#database-status")).to_be_hidden(timeout=STEP_MS)
        # The caller who called during the outage is on the dashboard now.
        expect(dashboard.locator(f'#queue-body tr[data-call-sid="{call_sid}"]')).to_be_visible(timeout=STEP_MS)
        for page in (dashboard, wallboard):
            page.context.close()
        # The sockets' goodbyes are written before the app's connections are closed.
        wait_for(lambda: no_sockets_open(fragile_app), "the sockets closed")
    assert errors == [], f"uncaught errors in the pages: {errors}"


def no_sockets_open(app) -> bool:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SocketConnection)) == 0
