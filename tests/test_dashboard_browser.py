"""The dashboard in a real browser (Debian's Chromium, driven by Playwright).

The app is served over real HTTP in-process (Werkzeug's threaded server: Flask-SocketIO's
threading mode does websockets on it); webhooks are signed and posted over HTTP as the
provider would; taking a caller goes through the twilio library to the telephony
emulator's fake REST API, with the caller held in one of its provider-side queues.
"""

import json
import re
import time
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import requests
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from helpline.db import db
from helpline.emulator import ProviderQueues, RestServer
from helpline.emulator.report import Recorder
from helpline.live import socketio
from helpline.models import Call, User
from tests.support.browser import LIVE_MS, STEP_MS, expect, needs_browser, new_page, serving_pages
from tests.support.provider import Provider, new_call_sid
from tests.support.servers import wait_for
from tests.support.users import PASSWORD

pytestmark = needs_browser


class Telephony:
    """Plays the provider: signed webhooks over HTTP, and a provider-side queue that the
    emulator's REST server redirects callers out of when a counselor takes them."""

    def __init__(self, base_url: str, app, queues: ProviderQueues):
        self.base_url = base_url
        self.validator = RequestValidator(app.config["TWILIO_AUTH_TOKEN"])
        self.queue = queues.get(app.config["TWILIO_QUEUE_NAME"])
        self.members = {}
        self.callers = {}
        self.numbers = iter(f"+98912{n:07d}" for n in range(1000, 2000))

    def post(self, path: str, params: dict) -> requests.Response:
        url = self.base_url + path
        response = requests.post(url, data=params, headers={"X-Twilio-Signature": self.validator.compute_signature(url, params)}, timeout=10)
        assert response.status_code in (200, 204), response.text
        return response

    def call_in(self, digits: str) -> str:
        """A caller presses a key; the menu webhook queues them. Their CallSid."""
        call_sid, number = new_call_sid(), next(self.numbers)
        self.callers[call_sid] = number
        self.post("/twilio/menu?attempt=1&lang=en", Provider.params(call_sid, number, Digits=digits))
        return call_sid

    def hold(self, call_sid: str) -> None:
        """The provider puts the caller in its queue and fetches the wait URL (QueueSid and all)."""
        self.members[call_sid] = self.queue.join(call_sid)
        self.post("/twilio/wait?lang=en", Provider.params(call_sid, QueueSid=self.queue.sid, QueueTime="0", QueuePosition=str(self.queue.size())))

    def hang_up(self, call_sid: str) -> None:
        self.post("/twilio/status", Provider.params(call_sid, CallStatus="completed", CallDuration="95", SequenceNumber="3"))


@pytest.fixture
def live(app):
    """The served app, the fake provider (webhooks and REST API), and browser pages for users."""
    rest = RestServer(app.config["TWILIO_ACCOUNT_SID"], app.config["TWILIO_AUTH_TOKEN"]).start()
    queues = ProviderQueues(max_size=50)
    rest.attach(SimpleNamespace(queues=queues, live={}, recorder=Recorder(0)))
    app.config["TWILIO_API_BASE_URL"] = rest.base_url
    contexts, page_errors = [], []
    try:
        with serving_pages(app) as base_url:
            yield SimpleNamespace(
                base_url=base_url, telephony=Telephony(base_url, app, queues), contexts=contexts, page_errors=page_errors
            )
            for context in contexts:
                context.close()
            socketio.server.shutdown()  # its background task, before the web server
        assert not page_errors, f"uncaught errors in the page: {page_errors}"
    finally:
        rest.detach()
        rest.close()


def open_page(live, browser, viewport=None):
    page = new_page(browser, live.base_url, live.page_errors, viewport=viewport)
    live.contexts.append(page.context)
    return page


def log_in(page, username: str) -> None:
    page.goto("/dashboard")
    expect(page).to_have_url(re.compile(r"/login\?next=(%2F|/)dashboard$"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.locator("#connection")).to_have_text("Live")


def dashboard_for(live, browser, auth, username: str, role: str = "counselor"):
    auth.create(username, role, PASSWORD)
    page = open_page(live, browser)
    log_in(page, username)
    return page


def row(page, call_sid: str):
    return page.locator(f'#queue-body tr[data-call-sid="{call_sid}"]')


def served_order(page) -> list[str]:
    return page.locator("#queue-body tr").evaluate_all("rows => rows.map(row => row.dataset.callSid)")


def database(app, query):
    with app.app_context():
        return query()


def eventually(app, query, what: str):
    """Poll the database until `query` gives something true (the browser saves on its own time)."""
    return wait_for(lambda: database(app, query), what, timeout=STEP_MS / 1000)


def stored(call_sid: str):
    return lambda: db.session.get(Call, call_sid)


# ---------------------------------------------------------------------------------------


def test_login_page_then_an_empty_queue(live, browser, auth):
    auth.create("counselor1", "counselor", PASSWORD)
    page = open_page(live, browser)
    page.goto("/dashboard")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Username").fill("counselor1")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")

    log_in(page, "counselor1")
    assert page.locator("html").get_attribute("lang") == "en" and page.locator("html").get_attribute("dir") == "ltr"
    expect(page.get_by_text("No one is waiting.")).to_be_visible()
    expect(page.locator("#queue-body tr")).to_have_count(0)
    expect(page.locator("#stat-waiting")).to_have_text("0")
    expect(page.locator("#stat-danger")).to_have_text("0")
    expect(page.locator("#presence-list")).to_contain_text("counselor1 (you)")
    expect(page.locator("#presence-select")).to_have_value("offline")
    # The client library comes from our own route, never a CDN.
    sources = page.locator("script[src]").evaluate_all("scripts => scripts.map(s => s.getAttribute('src'))")
    assert sources[0] == "/vendor/socket.io.min.js" and all(src.startswith("/") for src in sources)

    # Logging out (a form with the CSRF token) sends every tab of the session to the login page.
    other_tab = page.context.new_page()
    other_tab.goto("/dashboard")
    expect(other_tab.locator("#connection")).to_have_text("Live")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(other_tab.get_by_role("heading", name="Log in")).to_be_visible()


def test_callers_appear_live_danger_first_for_every_counselor(live, browser, auth):
    first = dashboard_for(live, browser, auth, "counselor1")
    second = dashboard_for(live, browser, auth, "counselor2")
    telephony = live.telephony

    routine = telephony.call_in("1")
    for page in (first, second):
        expect(row(page, routine)).to_be_visible(timeout=LIVE_MS)
    expect(row(first, routine)).to_contain_text("Psychological counselling")
    expect(row(first, routine)).to_contain_text("Routine")
    expect(row(first, routine).locator(".caller")).to_have_text(re.compile(r"^\+98\*+\d\d$"))

    danger = telephony.call_in("9")
    for page in (first, second):
        expect(row(page, danger)).to_be_visible(timeout=LIVE_MS)
    for page in (first, second):
        assert served_order(page) == [danger, routine]
        expect(row(page, danger)).to_contain_text("Danger now")
        expect(row(page, danger)).to_contain_text("Someone in danger now")
        expect(row(page, danger)).to_contain_text("Suicide and self-harm")
        expect(row(page, danger)).to_have_class(re.compile(r"\bis-emergency\b"))
        expect(page.locator("#stat-waiting")).to_have_text("2")
        expect(page.locator("#stat-danger")).to_have_text("1")
    # Waiting times tick every second in the browser, with no push from the server.
    waited = row(first, routine).locator(".waiting")
    expect(waited).not_to_have_text("0:00", timeout=2500)
    expect(first.locator("#stat-longest")).not_to_have_text("0:00")
    # A caller's number is never on the page, only its masked form.
    for page in (first, second):
        html = page.content()
        assert not any(number in html or number[1:] in html for number in telephony.callers.values())


def test_counselor_takes_a_caller_and_logs_the_call(live, browser, auth, app):
    counselor = dashboard_for(live, browser, auth, "counselor1")
    colleague = dashboard_for(live, browser, auth, "counselor2")
    telephony = live.telephony
    call_sid = telephony.call_in("2")
    telephony.hold(call_sid)
    expect(row(counselor, call_sid)).to_be_visible(timeout=LIVE_MS)

    # Offline counselors are refused, with the server's reason.
    row(counselor, call_sid).get_by_role("button", name=re.compile("^Take caller 1")).click()
    expect(counselor.locator("#action-message")).to_contain_text("set yourself available")

    counselor.get_by_label("I am").select_option("available")
    expect(colleague.locator('#presence-list [data-username="counselor1"]')).to_contain_text("Available")
    expect(counselor.locator("#stat-available")).to_have_text("1")

    row(counselor, call_sid).get_by_role("button", name=re.compile("^Take caller 1")).click()
    for page in (counselor, colleague):
        expect(row(page, call_sid)).to_have_count(0)
        expect(page.get_by_text("No one is waiting.")).to_be_visible()
    expect(counselor.locator("#call-active")).to_be_visible()
    expect(counselor.locator("#call-category")).to_have_text("Children and family")
    expect(counselor.locator("#presence-select")).to_have_value("on_call")
    expect(colleague.locator('#presence-list [data-username="counselor1"]')).to_contain_text("On a call")
    # The service had the provider take the caller out of its queue, towards the counselor.
    member = telephony.members[call_sid]
    assert telephony.queue.members() == [] and member.result == "redirected"
    assert member.redirect_url.startswith(live.base_url + "/twilio/connect?")

    # Part of the log, saved as a draft as the counselor goes.
    counselor.get_by_label("Call type").select_option(label="Counselling contact about someone else (e.g. a child)")
    counselor.locator('details[data-group="children_family"]').evaluate("group => group.open = true")
    counselor.get_by_label("Physical abuse of a child").check()
    counselor.get_by_label("Child neglect").check()
    expect(counselor.locator("#save-state")).to_contain_text("Draft saved")
    saved = eventually(app, lambda: (call := stored(call_sid)()) and len(call.categories) == 2 and call, "the draft")
    assert saved.call_type == "about_someone_else" and sorted(saved.categories) == ["neglect", "physical_abuse"]
    assert saved.logged_at is None

    counselor.reload()
    expect(counselor.locator("#connection")).to_have_text("Live")
    expect(counselor.locator("#call-active")).to_be_visible()
    expect(counselor.get_by_label("Call type")).to_have_value("about_someone_else")
    expect(counselor.get_by_label("Physical abuse of a child")).to_be_checked()
    expect(counselor.locator("#categories-chosen")).to_contain_text("Physical abuse of a child")

    # The caller hangs up: wrap-up until the log is complete.
    telephony.hang_up(call_sid)
    expect(counselor.locator("#presence-select")).to_have_value("wrap_up")
    expect(counselor.locator("#call-status")).to_contain_text("Ended")

    counselor.get_by_label("Medium risk").check()
    counselor.get_by_label("Outcome").select_option("referred")
    counselor.get_by_label("Referred to").fill("Behzisti social emergency (123)")
    counselor.get_by_label("Notes").fill("Mother worried about her son; agreed to visit the centre.")
    counselor.get_by_role("button", name="Submit log").click()
    expect(counselor.locator("#call-done")).to_contain_text("complete")
    expect(counselor.locator("#call-active")).to_be_hidden()
    expect(counselor.locator("#presence-select")).to_have_value("available")
    expect(colleague.locator('#presence-list [data-username="counselor1"]')).to_contain_text("Available")

    logged = database(app, stored(call_sid))
    assert logged.logged_at is not None
    assert sorted(logged.categories) == ["neglect", "physical_abuse"]
    assert (logged.call_type, logged.risk_level, logged.outcome) == ("about_someone_else", "medium", "referred")
    assert logged.notes.startswith("Mother worried") and logged.referral.startswith("Behzisti")
    assert database(app, lambda: db.session.scalar(select(User.presence).where(User.username == "counselor1"))) == "available"


def test_supervisor_is_alerted_when_a_call_is_logged_high_risk(live, browser, auth):
    supervisor = dashboard_for(live, browser, auth, "supervisor1", "supervisor")
    counselor = dashboard_for(live, browser, auth, "counselor1")
    telephony = live.telephony
    call_sid = telephony.call_in("5")
    telephony.hold(call_sid)
    expect(row(supervisor, call_sid)).to_be_visible(timeout=LIVE_MS)
    expect(row(supervisor, call_sid).get_by_role("button")).to_have_count(0)  # supervisors do not take callers
    expect(supervisor.get_by_text("No alerts.")).to_be_visible()

    counselor.get_by_label("I am").select_option("available")
    expect(counselor.locator("#take-next")).to_have_attribute("data-ready", "true")
    counselor.locator("body").press("n")  # the "take next" shortcut
    expect(counselor.locator("#call-active")).to_be_visible()
    expect(row(supervisor, call_sid)).to_have_count(0)

    counselor.get_by_label("High risk").check()
    alert = supervisor.locator("#alert-list li").first
    expect(alert).to_contain_text("High risk logged")
    expect(alert).to_contain_text("counselor1 logged a call at high risk")
    expect(supervisor.locator("#alert-announcer")).to_contain_text("counselor1 logged a call at high risk")
    expect(supervisor.locator("#alert-announcer")).to_have_attribute("aria-live", "assertive")


def test_a_log_completed_during_the_call_stays_on_screen_until_submitted(live, browser, auth, app):
    counselor = dashboard_for(live, browser, auth, "counselor1")
    telephony = live.telephony
    call_sid = telephony.call_in("1")
    telephony.hold(call_sid)
    expect(row(counselor, call_sid)).to_be_visible(timeout=LIVE_MS)
    counselor.get_by_label("I am").select_option("available")
    expect(counselor.locator("#take-next")).to_have_attribute("data-ready", "true")
    counselor.get_by_role("button", name="Take next caller").click()
    expect(counselor.locator("#call-active")).to_be_visible()
    expect(counselor.get_by_label("Call type")).to_be_focused()

    # The four required fields, while still talking: the server counts the log complete.
    counselor.get_by_label("Call type").select_option("about_self")
    counselor.get_by_label("Anxiety and worry").check()  # the caller's menu group is open already
    counselor.get_by_label("Low risk").check()
    counselor.get_by_label("Outcome").select_option("counselled")
    eventually(app, lambda: stored(call_sid)().logged_at, "the log to be complete")

    # The form stays, through a reload too, so the counselor can go on writing notes.
    counselor.reload()
    expect(counselor.locator("#call-active")).to_be_visible()
    expect(counselor.get_by_label("Outcome")).to_have_value("counselled")
    expect(counselor.get_by_label("Anxiety and worry")).to_be_checked()
    counselor.get_by_label("Notes").fill("Exam stress; breathing exercise together.")
    eventually(app, lambda: stored(call_sid)().notes, "the notes to be saved")

    # A bad value is refused next to its field, and the rest of the log is kept.
    counselor.locator("#log-follow_up").check()
    counselor.get_by_label("Follow up on").fill("2000-01-01")
    expect(counselor.locator("#error-follow_up_on")).to_contain_text("must not be in the past")
    counselor.get_by_label("Follow up on").fill((date.today() + timedelta(days=30)).isoformat())
    expect(counselor.locator("#error-follow_up_on")).to_be_hidden()

    counselor.get_by_role("button", name="Submit log").click()
    expect(counselor.locator("#call-done")).to_contain_text("complete")
    expect(counselor.locator("#call-active")).to_be_hidden()
    logged = database(app, stored(call_sid))
    assert logged.notes.startswith("Exam stress") and logged.follow_up_on is not None
    counselor.reload()
    expect(counselor.locator("#call-none")).to_be_visible()
    expect(counselor.locator("#call-active")).to_be_hidden()


def test_older_snapshots_are_ignored_and_a_reconnect_resyncs(live, browser, auth):
    """Socket.IO frames watched and injected between the page and the server."""
    auth.create("counselor1", "counselor", PASSWORD)
    page = open_page(live, browser)
    sockets, sent_by_page = [], []

    def route(ws):
        server = ws.connect_to_server()
        ws.on_message(lambda message: (sent_by_page.append(message), server.send(message)))
        sockets.append(ws)

    page.route_web_socket(re.compile(r"/socket\.io/"), route)
    log_in(page, "counselor1")
    call_sid = live.telephony.call_in("3")
    expect(row(page, call_sid)).to_be_visible(timeout=LIVE_MS)
    current = page.request.get("/api/queue").json()

    def push(event: str, body: dict) -> None:
        sockets[-1].send("42" + json.dumps([event, body]))

    # An older snapshot arriving late (an empty queue) is ignored; the presence event after
    # it shows it was handled (one socket delivers in order).
    push("queue", {**current, "version": current["version"] - 1, "calls": [], "stats": {**current["stats"], "waiting": 0}})
    push("presence", {"counselors": [{"username": "marker", "state": "break", "since": current["server_time"]}]})
    expect(page.locator('#presence-list [data-username="marker"]')).to_be_visible()
    expect(row(page, call_sid)).to_be_visible()
    expect(page.locator("#stat-waiting")).to_have_text("1")
    # The same version again is shown (the served order can change without a new version).
    push("queue", {**current, "calls": [], "stats": {**current["stats"], "waiting": 0}})
    expect(row(page, call_sid)).to_have_count(0)

    # The connection drops: the page says so, reconnects by itself, and asks for everything again.
    sockets[-1].close()
    expect(page.locator("#connection")).to_contain_text("Reconnecting")
    expect(page.locator("#connection")).to_have_text("Live")
    expect(row(page, call_sid)).to_be_visible()
    assert len(sockets) == 2
    deadline = time.monotonic() + STEP_MS / 1000
    while '42["resync"]' not in sent_by_page and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert '42["resync"]' in sent_by_page
