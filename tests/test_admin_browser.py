"""The administration's pages in a real browser (Debian's Chromium, driven by Playwright)."""

import re

import pytest

from tests.support.admin import set_language, stored_user
from tests.support.browser import expect, needs_browser, new_page, serving_pages
from tests.support.users import PASSWORD

pytestmark = needs_browser


@pytest.fixture
def page(app, auth, browser):
    auth.create("boss", "admin", PASSWORD)
    set_language(app, "boss", "en")
    errors = []
    with serving_pages(app) as base_url:
        page = new_page(browser, base_url, errors)
        page.goto("/admin/users")
        expect(page).to_have_url(re.compile(r"/login\?next="))
        page.get_by_label("Username").fill("boss")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(re.compile(r"/admin/users$"))
        yield page
        page.context.close()
    assert not errors, errors


def test_an_admin_creates_then_deactivates_an_account(app, page):
    form = page.locator("form.admin-form")
    form.get_by_label("Username").fill("counselor7")
    form.get_by_label("Role").select_option("counselor")
    form.get_by_label("Language of their pages").select_option("tg")
    form.get_by_label("Password (at least 10 characters)").fill("a long enough secret")
    form.get_by_label("Password again").fill("a long enough secrets")
    form.get_by_role("button", name="Create the account").click()
    expect(page.get_by_text("The two passwords differ.")).to_be_visible()

    form.get_by_label("Password (at least 10 characters)").fill("a long enough secret")
    form.get_by_label("Password again").fill("a long enough secret")
    form.get_by_role("button", name="Create the account").click()
    expect(page.get_by_role("status")).to_contain_text("Account counselor7 created.")
    row = page.locator('tr[data-username="counselor7"]')
    expect(row).to_contain_text("Tajik")
    expect(row).to_contain_text("active")

    row.get_by_role("link", name="counselor7").click()
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("status")).to_contain_text("counselor7 can no longer log in.")
    expect(page.locator("#user-active")).to_have_text("deactivated")
    assert not stored_user(app, "counselor7").active


def test_an_admin_changes_a_threshold_and_a_prompt(app, page):
    page.get_by_role("link", name="Thresholds and targets").click()
    section = page.locator("#threshold-aging_step_seconds")
    section.get_by_label("New value").fill("5")
    section.get_by_role("button", name="Save").click()
    section = page.locator("#threshold-aging_step_seconds")
    expect(section.locator(".field-errors")).to_contain_text("must be a whole number from 10 to 86400")
    section.get_by_label("New value").fill("90")
    section.get_by_role("button", name="Save").click()
    expect(page.locator("#threshold-aging_step_seconds .threshold-value")).to_have_text("90")

    page.get_by_role("link", name="Phone menu").click()
    page.get_by_role("link", name="English").click()
    greeting = page.locator("#prompt-greeting")
    greeting.get_by_label("Recording (http:// or https:// URL)").check()
    greeting.get_by_label("Text, or the URL of the recording").fill("https://media.example.org/hello.mp3")
    page.get_by_role("button", name="Save the prompts").click()
    expect(page.get_by_role("status")).to_contain_text("The prompts are saved.")
    expect(page.locator("#prompt-greeting textarea")).to_have_value("https://media.example.org/hello.mp3")
