"""The wallboard in a real browser (Debian's Chromium, driven by Playwright), in English.

The app is served over real HTTP in-process (Werkzeug's threaded server; Flask-SocketIO's
threading mode does websockets on it); webhooks are signed and posted over HTTP as the provider
would; a counselor's call is set up in the database as taking one leaves it, and the counselor
logs it through the JSON API.
"""

import json
import re
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
import requests

from helpline import clock
from helpline.db import db
from helpline.live import socketio
from helpline.models import Call, User
from tests.support.browser import LIVE_MS, STEP_MS, expect, needs_browser, new_page, serving_pages
from tests.support.calls import give_call
from tests.support.provider import HttpProvider, Provider, new_call_sid
from tests.support.users import PASSWORD

NUMBER = "+989121110000"

pytestmark = needs_browser


@pytest.fixture
def live(app):
    contexts, page_errors = [], []
    with serving_pages(app) as base_url:
        yield SimpleNamespace(base_url=base_url, app=app, contexts=contexts, page_errors=page_errors)
        for context in contexts:
            context.close()
        socketio.server.shutdown()  # its background task, before the web server
    assert not page_errors, f"uncaught errors in the page: {page_errors}"


def signed_post(live, path: str, params: dict) -> requests.Response:
    response = HttpProvider(live.base_url, live.app.config["TWILIO_AUTH_TOKEN"]).post(path, params)
    assert response.status_code in (200, 204), response.text
    return response


def call_in(live, digits: str) -> str:
    call_sid = new_call_sid()
    signed_post(live, "/twilio/menu?attempt=1&lang=en", Provider.params(call_sid, NUMBER, Digits=digits))
    return call_sid


def create_english_user(live, auth, username: str, role: str) -> None:
    auth.create(username, role, PASSWORD)
    with live.app.app_context():
        db.session.execute(db.update(User).where(User.username == username).values(language="en"))
        db.session.commit()


def counselor_session(live, auth, username: str = "counselor1") -> requests.Session:
    create_english_user(live, auth, username, "counselor")
    session = requests.Session()
    assert session.post(live.base_url + "/api/login", json={"username": username, "password": PASSWORD}, timeout=10).ok
    return session


def wallboard_page(live, browser, auth, username: str = "supervisor1", route=None):
    create_english_user(live, auth, username, "supervisor")
    page = new_page(browser, live.base_url, live.page_errors, viewport={"width": 1920, "height": 1080})
    live.contexts.append(page.context)
    if route:
        page.route_web_socket(re.compile(r"/socket\.io/"), route)
    page.goto("/wallboard")
    expect(page).to_have_url(re.compile(r"/login\?next=(%2F|/)wallboard$"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/wallboard$"))
    expect(page.locator("#connection")).to_have_text("Live")
    return page


def add_answered_call(app, wait: int) -> None:
    """A call answered a moment ago, as the webhooks leave it."""
    with app.app_context():
        now = clock.now()
        enqueued = now - timedelta(seconds=wait + 1)
        db.session.add(Call(
            call_sid=new_call_sid(), started_at=enqueued, enqueued_at=enqueued, answered_at=enqueued + timedelta(seconds=wait),
            wait_seconds=wait, ended_at=now, queue_result="bridged", queue_result_rank=3, status="completed", updated_at=now,
        ))
        db.session.commit()


# ---------------------------------------------------------------------------------------


def test_a_danger_now_caller_and_a_high_risk_log_reach_the_wall(live, browser, auth):
    page = wallboard_page(live, browser, auth)
    assert page.locator("html").get_attribute("lang") == "en" and page.locator("html").get_attribute("dir") == "ltr"
    counselor = counselor_session(live, auth)
    expect(page.locator("#danger")).to_have_attribute("data-active", "false")
    expect(page.locator("#danger-text")).to_have_text("No caller in danger now is waiting")
    expect(page.locator("#queue-waiting")).to_have_text("0")
    expect(page.locator("#service-level-status")).to_have_text("no calls yet today")
    expect(page.locator("#alert-empty")).to_be_visible()

    # The counselor's presence, pushed: the counts and the list.
    assert counselor.put(live.base_url + "/api/presence", json={"state": "available"}, timeout=10).ok
    expect(page.locator('[data-count-for="available"]')).to_have_text("1")
    expect(page.locator('#counselor-list [data-username="counselor1"]')).to_contain_text("Available")

    call_in(live, "1")
    expect(page.locator("#queue-waiting")).to_have_text("1", timeout=LIVE_MS)
    danger = call_in(live, "9")
    expect(page.locator("#danger-text")).to_have_text("DANGER NOW: 1 caller waiting. Take them first.", timeout=LIVE_MS)
    expect(page.locator("#danger")).to_have_attribute("data-active", "true")
    expect(page.locator("#queue-danger")).to_have_text("1")
    expect(page.locator("#queue-waiting")).to_have_text("2")
    expect(page.locator("#danger-announcer")).to_have_text("Danger now: 1 waiting")
    expect(page.locator("#today-offered")).to_have_text("2")
    # The longest wait ticks in the browser, with no push from the server.
    expect(page.locator("#queue-longest")).not_to_have_text("0:00", timeout=2500)

    # The counselor takes the danger-now caller and logs the call high risk.
    give_call(live.app, danger, "counselor1")
    response = counselor.patch(f"{live.base_url}/api/calls/{danger}", json={"risk_level": "high"}, timeout=10)
    assert response.ok, response.text
    alert = page.locator("#alert-list li").first
    expect(alert).to_contain_text("High risk logged")
    expect(alert).to_contain_text("counselor1 logged a call at high risk")
    expect(page.locator("#alert-list")).to_have_attribute("aria-live", "assertive")
    expect(page.locator("#alert-empty")).to_be_hidden()
    # The log's push brought the wallboard up to date: the caller is no longer waiting.
    expect(page.locator("#danger")).to_have_attribute("data-active", "false")
    expect(page.locator("#queue-waiting")).to_have_text("1")
    expect(page.locator('[data-count-for="on_call"]')).to_have_text("1")

    html = page.content()
    assert NUMBER not in html and NUMBER[1:] not in html


def test_the_service_level_against_its_target(live, browser, auth, app):
    for wait in (3, 10, 15, 60):  # three of four within 20 s: 75 %
        add_answered_call(app, wait)
    page = wallboard_page(live, browser, auth)
    expect(page.locator("#service-level")).to_have_text("75% (target 80%)")
    expect(page.locator("#service-level-box")).to_have_attribute("data-status", "below")
    expect(page.locator("#service-level-status")).to_have_text("▼ Below target")
    expect(page.locator("#service-level-rule")).to_have_text("answered within 20 s")
    expect(page.locator("#today-answered")).to_have_text("4")

    # A fifth call within the threshold, and the next change pushed: 80 %, the target met.
    add_answered_call(app, 5)
    counselor = counselor_session(live, auth)
    assert counselor.put(live.base_url + "/api/presence", json={"state": "break"}, timeout=10).ok
    expect(page.locator("#service-level")).to_have_text("80% (target 80%)")
    expect(page.locator("#service-level-box")).to_have_attribute("data-status", "met")
    expect(page.locator("#service-level-status")).to_have_text("✓ On target")


def test_older_wallboards_are_ignored_and_a_reconnect_resyncs(live, browser, auth):
    """Socket.IO frames watched and injected between the page and the server."""
    sockets, sent_by_page = [], []

    def route(ws):
        server = ws.connect_to_server()
        ws.on_message(lambda message: (sent_by_page.append(message), server.send(message)))
        sockets.append(ws)

    page = wallboard_page(live, browser, auth, route=route)
    current = page.request.get("/api/wallboard").json()

    def push(event: str, body: dict) -> None:
        sockets[-1].send("42" + json.dumps([event, body]))

    # An older body arriving late is ignored; the presence event after it shows it was handled.
    push("wallboard", {**current, "version": current["version"] - 1, "queue": {**current["queue"], "waiting": 7}})
    push("presence", {"counselors": [{"username": "marker", "state": "break", "since": current["server_time"]}]})
    expect(page.locator('#counselor-list [data-username="marker"]')).to_be_visible()
    expect(page.locator("#queue-waiting")).to_have_text("0")
    # The same version again is shown.
    push("wallboard", {**current, "queue": {**current["queue"], "waiting": 5}})
    expect(page.locator("#queue-waiting")).to_have_text("5")

    # The connection drops: the page says so, reconnects, and asks for everything again.
    sockets[-1].close()
    expect(page.locator("#connection")).to_contain_text("Reconnecting")
    expect(page.locator("#connection")).to_have_text("Live")
    expect(page.locator("#queue-waiting")).to_have_text("0")
    deadline = time.monotonic() + STEP_MS / 1000
    while '42["resync"]' not in sent_by_page and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert '42["resync"]' in sent_by_page and len(sockets) == 2


def test_counselors_are_refused(live, browser, auth):
    counselor_session(live, auth)
    context = browser.new_context(locale="en-US", base_url=live.base_url)
    live.contexts.append(context)
    page = context.new_page()
    page.goto("/login?next=/wallboard")
    page.get_by_label("Username").fill("counselor1")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("body")).to_contain_text("this needs the role supervisor or admin")
