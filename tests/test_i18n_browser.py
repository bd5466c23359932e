"""The dashboard in Persian, in a real browser (Debian's Chromium, driven by Playwright): laid out
right to left without overflowing, Persian digits in the counts and times, a caller's row readable
(its masked number left to right), the Vazirmatn face loaded; and the header's picker switching
the page to English."""

import re

import pytest
from sqlalchemy import select

from helpline.db import db
from helpline.live import socketio
from helpline.models import User
from tests.support.browser import expect, needs_browser, new_page, serving_pages
from tests.support.provider import HttpProvider, Provider, new_call_sid
from tests.support.users import PASSWORD

PERSIAN_DURATION = re.compile(r"^[۰-۹]+:[۰-۹]{2}$")

pytestmark = needs_browser


def call_in(base_url: str, app, digits: str, number: str) -> None:
    """A caller presses a key in the Persian menu: the signed webhook queues them."""
    provider = HttpProvider(base_url, app.config["TWILIO_AUTH_TOKEN"])
    response = provider.post("/twilio/menu?attempt=1&lang=fa", Provider.params(new_call_sid(), number, Digits=digits))
    assert response.status_code == 200, response.text


@pytest.fixture
def persian_page(app, auth, browser):
    """A Persian counselor's dashboard (their own choice and their browser's), two callers waiting."""
    auth.create("maryam", "counselor", PASSWORD, language="fa")
    errors = []
    with serving_pages(app) as base_url:
        call_in(base_url, app, "1", "+989121110001")
        call_in(base_url, app, "9", "+989121110002")
        page = new_page(browser, base_url, errors, locale="fa-IR")
        page.goto("/dashboard")
        page.get_by_label("نام کاربری").fill("maryam")
        page.get_by_label("گذرواژه").fill(PASSWORD)
        page.get_by_role("button", name="ورود").click()
        expect(page).to_have_url(re.compile(r"^[^?]*/dashboard$"))
        expect(page.locator("#connection")).to_have_text("زنده")
        yield page
        page.context.close()
        socketio.server.shutdown()
    assert errors == [], f"uncaught errors in the page: {errors}"


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_the_dashboard_in_persian(persian_page, app):
    page = persian_page
    assert page.locator("html").get_attribute("dir") == "rtl" and page.locator("html").get_attribute("lang") == "fa"
    expect(page.get_by_role("heading", name="تماس‌گیرندگان منتظر")).to_be_visible()

    # Counts and times in Persian digits.
    expect(page.locator("#stat-waiting")).to_have_text("۲")
    expect(page.locator("#stat-danger")).to_have_text("۱")
    expect(page.locator("#stat-available")).to_have_text("۰")
    expect(page.locator("#stat-longest")).to_have_text(PERSIAN_DURATION)
    expect(page).to_have_title(re.compile(r"^\(۲، ۱ در خطر فوری\) صف زنده · صدای مشاور ۱۴۸۰$"))

    # The danger-now caller first, their row readable.
    danger = page.locator("#queue-body tr").first
    expect(danger.locator(".position")).to_have_text("۱")
    expect(danger.locator(".priority")).to_have_text("⚠ خطر فوری")
    expect(danger.locator(".category")).to_have_text("خودکشی و آسیب به خود")
    expect(danger.locator(".reasons")).to_have_text("کسی هم‌اکنون در خطر است")
    expect(danger.locator(".waiting")).to_have_text(PERSIAN_DURATION)
    expect(danger.locator(".language")).to_have_text("فارسی")
    expect(danger.get_by_role("button", name="پذیرش تماس‌گیرندهٔ ۱: خطر فوری، خودکشی و آسیب به خود")).to_be_visible()
    caller = danger.locator(".caller")
    expect(caller).to_have_text(re.compile(r"^\+98\*+02$"))
    assert caller.evaluate("cell => getComputedStyle(cell).direction") == "ltr"
    routine = page.locator("#queue-body tr").nth(1)
    expect(routine.locator(".category")).to_have_text("مشاوره روان‌شناختی")
    expect(routine.locator(".priority")).to_have_text("عادی")

    # Right to left: the first column on the right, the caller's number further left.
    x = {name: danger.locator(f".{name}").bounding_box()["x"] for name in ("position", "category", "caller", "action")}
    assert x["position"] > x["category"] > x["caller"] > x["action"]
    panel, queue = page.locator(".side-column").bounding_box(), page.locator(".main-column").bounding_box()
    assert panel["x"] < queue["x"]
    expect(page.locator("#presence-list")).to_contain_text("maryam (شما)")
    expect(page.locator("#presence-list .state-badge")).to_have_text("خارج از خط")

    # The Persian face is served and used; nothing overflows sideways, wide or narrow.
    assert page.evaluate(
        "() => document.fonts.ready.then(() => [...document.fonts].some(face => face.family.replace(/\"/g, '') === 'Vazirmatn' && face.status === 'loaded'))"
    )
    assert no_horizontal_overflow(page)
    for width in (800, 420):
        page.set_viewport_size({"width": width, "height": 900})
        assert no_horizontal_overflow(page), f"overflows at {width}px"


def test_the_picker_switches_the_page_to_english(persian_page, app):
    page = persian_page
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("#connection")).to_have_text("Live")
    expect(page.locator("#stat-waiting")).to_have_text("2")
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#queue-body tr").first.locator(".priority")).to_have_text("⚠ Danger now")
    with app.app_context():
        assert db.session.scalar(select(User.language).where(User.username == "maryam")) == "en"
