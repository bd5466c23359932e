"""The wallboard and the reports page in Persian and in English, in Chromium: right to left with
Persian digits for a Persian supervisor, left to right for an English one; nothing overflows."""

from datetime import timedelta

import pytest

from helpline import clock
from helpline.db import db
from helpline.models import Call
from tests.support.browser import needs_browser
from tests.support.provider import new_call_sid
from tests.support.servers import serving

PERSIAN_DIGITS = set("۰۱۲۳۴۵۶۷۸۹")

pytestmark = needs_browser


def some_calls(app) -> None:
    """A few calls today: answered, abandoned, one danger-now still waiting."""
    now = clock.now()
    with app.app_context():
        for minutes, answered, emergency in ((50, True, False), (40, False, False), (30, True, False), (1, False, True)):
            enqueued = now - timedelta(minutes=minutes)
            waiting = emergency
            db.session.add(
                Call(
                    call_sid=new_call_sid(),
                    started_at=enqueued,
                    enqueued_at=enqueued,
                    answered_at=enqueued + timedelta(seconds=12) if answered else None,
                    ended_at=None if waiting else enqueued + timedelta(minutes=5),
                    wait_seconds=12 if answered else 95,
                    talk_seconds=240 if answered else None,
                    queue_result=None if waiting else ("redirected" if answered else "hangup"),
                    queue_result_rank=0 if waiting else (2 if answered else 3),
                    abandoned=not answered and not waiting,
                    category="suicide_self_harm" if emergency else "counselling",
                    priority="emergency" if emergency else "normal",
                    priority_rank=4 if emergency else 1,
                    emergency=emergency,
                    caller_masked="+98********21",
                )
            )
        db.session.commit()


def open_page(browser, base_url: str, username: str, path: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct horse battery")
    page.locator("form [type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    page.goto(base_url + path)
    page.wait_for_load_state("networkidle")
    return context, page, errors


def overflows(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth + 1")


@pytest.mark.parametrize("path", ["/wallboard", "/reports", "/review"])
@pytest.mark.parametrize("language, direction", [("fa", "rtl"), ("en", "ltr")])
def test_supervisor_pages_in_each_direction(app, auth, browser, path, language, direction):
    some_calls(app)
    auth.create("supervisor1", "supervisor", language=language)
    with serving(app, check_threads=False) as base_url:
        context, page, errors = open_page(browser, base_url, "supervisor1", path)
        try:
            html = page.locator("html")
            assert html.get_attribute("dir") == direction and html.get_attribute("lang") == language
            # The figures have arrived (live or rendered) and are written in the page's digits.
            page.wait_for_function("document.querySelector('main').innerText.match(/[0-9۰-۹]/)")
            text = page.locator("main").inner_text()
            if language == "fa":
                assert PERSIAN_DIGITS & set(text), "no Persian digits on the page"
                assert not any(character.isascii() and character.isdigit() for character in text.replace("+98", "")), text[:400]
            else:
                assert not PERSIAN_DIGITS & set(text)
            assert not overflows(page)
            assert errors == []
            page.screenshot(path=f"/tmp/shot-{path.strip('/')}-{language}.png", full_page=True)
        finally:
            context.close()
