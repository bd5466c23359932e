"""The report page in a real browser (Debian's Chromium, driven by Playwright), in English:
the figures, the period picker, the charts drawn by Chart.js, and the tables without it."""

import re
from datetime import date

import pytest

from tests.support.browser import STEP_MS, expect, needs_browser
from tests.support.reports import add_calls, add_user, local, make_call
from tests.support.servers import serving
from tests.support.users import PASSWORD

DAY = date(2024, 3, 11)

pytestmark = needs_browser


@pytest.fixture
def reports_page(app, browser):
    """A supervisor (English pages) logged in on the served app; fails on any error in the page."""
    add_user(app, "supervisor1", "supervisor", language="en")
    add_calls(
        app,
        make_call(local(DAY, 9), wait_seconds=10, talk_seconds=300, wrap_up_seconds=60, categories=["anxiety"], outcome="counselled", risk_level="low"),
        make_call(
            local(DAY, 9, 30), wait_seconds=15, talk_seconds=200, wrap_up_seconds=20, categories=["depression"], outcome="counselled",
            risk_level="medium",
        ),
        make_call(local(DAY, 14), wait_seconds=45, abandoned=True, category="elderly"),
        make_call(local(DAY, 23, 59, 59), wait_seconds=3, abandoned=True),
    )
    errors = []
    with serving(app) as base_url:
        context = browser.new_context(locale="en-US", base_url=base_url, viewport={"width": 1300, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(STEP_MS)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"/reports?from={DAY.isoformat()}&to={DAY.isoformat()}")
        expect(page).to_have_url(re.compile(r"/login\?next="))
        page.get_by_label("Username").fill("supervisor1")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(re.compile(r"/reports$"))
        try:
            yield page
        finally:
            context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def show_day(page) -> None:
    page.get_by_label("From").fill(DAY.isoformat())
    page.get_by_label("To (inclusive)").fill(DAY.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/reports\?from=2024-03-11&to=2024-03-11$"))


def test_the_figures_and_the_charts(reports_page):
    page = reports_page
    # The default period is the last seven days: none of the calls of 2024.
    expect(page.locator("#figure-offered")).to_have_text("0")
    show_day(page)
    # Dates show through the local_date filter (helpline/i18n.py) when there is one, else ISO.
    expect(page.get_by_role("heading", name=re.compile(r"^Summary, (11 March 2024|2024-03-11) to (11 March 2024|2024-03-11)$"))).to_be_visible()
    expect(page.locator("#figure-offered")).to_have_text("4")
    expect(page.locator("#figure-answered")).to_have_text("2")
    expect(page.locator("#figure-abandoned")).to_have_text("1")
    expect(page.locator("#figure-short-abandons")).to_have_text("1")
    expect(page.locator("#figure-service-level")).to_have_text("66.7%")
    expect(page.locator("#figure-average-speed-of-answer")).to_have_text("0:13")
    expect(page.locator("#figure-average-handle-time")).to_have_text("4:50")
    expect(page.get_by_text("How these figures are counted")).to_be_visible()
    expect(page.locator("#definitions")).to_contain_text("divided by offered calls less short abandons")
    for chart in ("chart-trend", "chart-hours", "chart-categories"):
        canvas = page.locator(f"#{chart}")
        expect(canvas).to_be_visible()
        expect(canvas).to_have_attribute("data-drawn", "true")
        assert canvas.bounding_box()["height"] > 100
    expect(page.locator("body")).to_have_attribute("data-charts", "drawn")
    expect(page.locator("#table-hours tbody tr").nth(9)).to_contain_text("2")
    expect(page.locator("#table-groups")).to_contain_text("Psychological counselling")
    expect(page.locator("#table-breakdown")).to_contain_text("Depression and low mood")
    expect(page.locator("#table-breakdown")).to_contain_text("Not logged")
    expect(page.get_by_role("link", name="every call of the period")).to_have_attribute(
        "href", "/api/reports/calls.csv?from=2024-03-11&to=2024-03-11"
    )


def test_without_chart_js_the_tables_stand_alone(reports_page):
    page = reports_page
    page.route("**/vendor/chart.umd.js", lambda route: route.abort())
    show_day(page)
    expect(page.locator("body")).to_have_attribute("data-charts", "unavailable")
    expect(page.locator("#chart-hours")).to_be_hidden()
    expect(page.locator("#table-trend")).to_contain_text("66.7%")
    expect(page.locator("#figure-offered")).to_have_text("4")


def test_a_bad_period_is_explained(reports_page):
    page = reports_page
    page.goto("/reports?from=2024-03-11&to=2024-03-01")
    expect(page.get_by_role("alert")).to_contain_text("The end of the period must not be before its start.")
    expect(page.get_by_label("From")).to_have_value("2024-03-11")
