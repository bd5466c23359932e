"""Choosing the language of the pages: the header's form (CSRF, a same-site way back), the JSON
route for scripts, and what the pages then say: their lang and dir, and their words."""

import json
import re

import pytest
from sqlalchemy import select

from helpline.db import db
from helpline.models import User

PASSWORD = "correct horse battery"


def html_tag(page: bytes) -> str:
    return re.search(rb"<html[^>]*>", page).group(0).decode()


def meta_csrf_token(page: bytes) -> str:
    return re.search(rb'name="csrf-token" content="([^"]+)"', page).group(1).decode()


def form_csrf_token(page: bytes) -> str:
    return re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()


def language_of(app, username: str) -> str:
    with app.app_context():
        return db.session.scalar(select(User.language).where(User.username == username))


def set_language(app, username: str, language: str) -> None:
    with app.app_context():
        db.session.execute(User.__table__.update().where(User.username == username).values(language=language))
        db.session.commit()


@pytest.fixture
def counselor(client, auth):
    """A logged-in counselor who reads Persian pages (as the service's users do by default)."""
    auth.create("counselor1", "counselor", language="fa")
    auth.login("counselor1")
    return "counselor1"


def choose(client, language, next_path="/dashboard", token=True):
    page = client.get("/dashboard")
    data = {"language": language, "next": next_path}
    if token:
        data["csrf_token"] = meta_csrf_token(page.data)
    return client.post("/language", data=data)


# ---------------------------------------------------------------------------------------
# The form


@pytest.mark.parametrize("role", ["counselor", "supervisor", "admin"])
def test_every_role_chooses_a_language_and_goes_back(client, auth, app, role):
    auth.create(f"{role}1", role, language="fa")
    auth.login(f"{role}1")
    assert language_of(app, f"{role}1") == "fa"
    response = choose(client, "en", "/dashboard?from=2024-03-01")
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard?from=2024-03-01"
    assert language_of(app, f"{role}1") == "en"
    assert html_tag(client.get("/dashboard").data) == '<html lang="en" dir="ltr">'


def test_the_users_language_makes_the_page(client, app, counselor):
    page = client.get("/dashboard", headers={"Accept-Language": "en"})
    # A logged-in user's choice wins over the browser's.
    assert html_tag(page.data) == '<html lang="fa" dir="rtl">'
    assert "صف زنده".encode() in page.data and b"Live queue" not in page.data
    set_language(app, counselor, "tg")
    page = client.get("/dashboard", headers={"Accept-Language": "fa"})
    assert html_tag(page.data) == '<html lang="tg" dir="ltr">'
    assert "Навбати зинда".encode() in page.data


def test_the_picker_offers_every_language_and_marks_the_pages_one(client, counselor):
    page = client.get("/dashboard").data.decode()
    form = re.search(r'<form class="language-form" method="post" action="/language">.*?</form>', page, re.DOTALL).group(0)
    assert 'name="csrf_token"' in form and 'name="next" value="/dashboard"' in form
    button = r'<button type="submit" name="language" value="(\w+)" lang="\w+" class="language-choice"\s+aria-pressed="(\w+)">([^<]+)</button>'
    buttons = re.findall(button, form)
    assert buttons == [("fa", "true", "فارسی"), ("en", "false", "English"), ("tg", "false", "Тоҷикӣ")]


def test_the_form_needs_its_csrf_token(client, app, counselor):
    assert choose(client, "en", token=False).status_code == 400
    assert language_of(app, counselor) == "fa"


@pytest.mark.parametrize("language", ["de", "", "FA", "fa-IR", None])
def test_an_unknown_language_is_refused(client, app, counselor, language):
    page = client.get("/dashboard")
    data = {"csrf_token": meta_csrf_token(page.data), "next": "/dashboard"}
    if language is not None:
        data["language"] = language
    response = client.post("/language", data=data)
    assert response.status_code == 400 and b"language must be one of fa, en, tg" in response.data
    assert language_of(app, counselor) == "fa"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "/\t/evil.example", "javascript:alert(1)", ""]
)
def test_going_back_never_leaves_the_site(client, counselor, target):
    response = choose(client, "tg", target)
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"


def test_the_anonymous_cannot_choose(client, app, auth):
    auth.create("counselor1", "counselor", language="fa")
    page = client.get("/login")
    response = client.post("/language", data={"language": "en", "csrf_token": form_csrf_token(page.data)})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.put("/api/me/language", json={"language": "en"}).status_code == 401
    assert language_of(app, "counselor1") == "fa"


def test_a_new_user_reads_persian_pages(app, client):
    with app.app_context():
        user = User(username="new1", role="counselor")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    assert client.post("/api/login", json={"username": "new1", "password": PASSWORD}).status_code == 200
    assert html_tag(client.get("/dashboard", headers={"Accept-Language": "en"}).data) == '<html lang="fa" dir="rtl">'


# ---------------------------------------------------------------------------------------
# The JSON route


def test_scripts_choose_with_json(client, app, counselor):
    response = client.put("/api/me/language", json={"language": "tg"})
    assert response.status_code == 200 and response.json == {"language": "tg"}
    assert language_of(app, counselor) == "tg"
    assert html_tag(client.get("/dashboard").data) == '<html lang="tg" dir="ltr">'


@pytest.mark.parametrize("body", [{"language": "de"}, {"language": ["fa"]}, {"language": None}, {}, ["fa"], "fa"])
def test_json_with_an_unknown_language_is_refused(client, app, counselor, body):
    response = client.put("/api/me/language", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400 and "error" in response.json
    assert language_of(app, counselor) == "fa"


# ---------------------------------------------------------------------------------------
# The anonymous login page follows the browser


@pytest.mark.parametrize(
    ("accept", "html", "words"),
    [
        ("fa-IR,fa;q=0.9,en;q=0.5", '<html lang="fa" dir="rtl">', ["ورود", "نام کاربری", "گذرواژه", "صدای مشاور ۱۴۸۰"]),
        ("tg", '<html lang="tg" dir="ltr">', ["Воридшавӣ", "Номи корбар", "Рамз"]),
        ("en-US,en;q=0.9", '<html lang="en" dir="ltr">', ["Log in", "Username", "Password", "1480 Helpline"]),
    ],
)
def test_the_login_page_speaks_the_browsers_language(client, accept, html, words):
    page = client.get("/login", headers={"Accept-Language": accept})
    assert html_tag(page.data) == html
    text = page.data.decode()
    assert all(word in text for word in words)
    if accept.startswith("fa"):
        assert "Username" not in text and "Log in" not in text


def test_a_failed_login_is_told_in_persian(client, auth):
    auth.create("counselor1", "counselor", language="fa")
    headers = {"Accept-Language": "fa"}
    form = client.get("/login", headers=headers)
    response = client.post(
        "/login", headers=headers, data={"username": "counselor1", "password": "not the password", "csrf_token": form_csrf_token(form.data)}
    )
    assert response.status_code == 200
    assert "نام کاربری یا گذرواژه نادرست است.".encode() in response.data
    assert b"Wrong username or password" not in response.data


def test_the_dashboards_script_words_are_in_the_page_language(client, counselor):
    page = client.get("/dashboard").data.decode()
    words = json.loads(re.search(r'<script type="application/json" id="page-words">(.*?)</script>', page, re.DOTALL).group(1))
    assert words["priority"]["emergency"] == "خطر فوری"
    assert words["reason"]["repeat_caller"] == "تماس‌گیرندهٔ تکراری"
    assert words["presence"]["wrap_up"] == "ثبت پس از تماس"
    assert words["connection"]["live"] == "زنده"
    assert words["draft_saved"] == "پیش‌نویس در ساعت {time} ذخیره شد."
    assert words["callers_waiting_other"] == "{count} تماس‌گیرنده منتظرند."
    assert words["alert_message"]["high_risk_logged.high"] == "{counselor} تماسی را با خطر بالا ثبت کرد"

    def strings(value):
        if isinstance(value, dict):
            return [text for item in value.values() for text in strings(item)]
        return [value]

    assert all(isinstance(text, str) and text for text in strings(words))
    config = json.loads(re.search(r'<script type="application/json" id="page-config">(.*?)</script>', page, re.DOTALL).group(1))
    assert config["language"] == "fa"
