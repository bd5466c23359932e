"""User names that mix scripts, use compatibility forms or look like another user's name are
refused wherever accounts are made (the admin page, the admin API, `flask users create`);
Persian, Tajik (Cyrillic) and Latin names are each accepted in one script."""

import re

import pytest
from sqlalchemy import func, select

from helpline.db import db
from helpline.models import User
from helpline.usernames import Problem, UsernameError, check

PASSWORD = "a long enough password"
ACCEPTED = ["maryam", "Ali.Rezaei-2", "مریم", "مریم۱۲", "مُحَمَّد", "فرهاد 2", "Фарҳод", "Шаҳло", "Ғафуров", "counselor_7"]
REFUSED = [
    ("\u0430dmin", Problem.MIXED_SCRIPTS),  # a Cyrillic а
    ("adm\u0456n", Problem.MIXED_SCRIPTS),  # a Cyrillic і
    ("ali_علی", Problem.MIXED_SCRIPTS),
    ("Фарhод", Problem.MIXED_SCRIPTS),
    ("\uff41dmin", Problem.FORM),  # full-width a
    ("\u217emin", Problem.FORM),  # the Roman numeral ⅾ
    ("Zoe\u0308", Problem.FORM),  # e and a combining diaeresis, not ë
    ("𝐚𝐝𝐦𝐢𝐧", Problem.FORM),  # mathematical bold
]
LOOK_ALIKES = [
    ("admin", "Admin"), ("admin", "ADMIN"), ("counselor1", "counselorl"), ("counselorl", "counselorI"),
    ("ace", "\u0430\u0441\u0435"),  # Latin ace, Cyrillic асе: each in one script, alike
    ("علی", "علي"),  # Persian yeh, Arabic yeh
    ("کریم", "كريم"),  # Persian keheh, Arabic kaf
]  # fmt: skip


@pytest.mark.parametrize("name", ACCEPTED)
def test_names_in_one_script_are_accepted(name):
    check(name, ["admin", "counselor1"])


@pytest.mark.parametrize("name, problem", REFUSED)
def test_mixed_scripts_and_compatibility_forms_are_refused(name, problem):
    with pytest.raises(UsernameError) as refused:
        check(name)
    assert refused.value.problem is problem


@pytest.mark.parametrize("existing, name", LOOK_ALIKES)
def test_a_look_alike_of_another_users_name_is_refused(existing, name):
    with pytest.raises(UsernameError) as refused:
        check(name, [existing])
    assert refused.value.problem is Problem.LOOKS_LIKE and refused.value.other == existing
    check(name, ["someone else"])


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


@pytest.fixture
def admin(client, auth):
    auth.create("admin", "admin", language="en")
    auth.login("admin")
    return client


def new_user(client, username: str):
    return client.post("/api/admin/users", json={"username": username, "password": PASSWORD, "role": "counselor", "language": "fa"})


@pytest.mark.parametrize("name", ["\u0430dmin", "\uff41dmin", "Admin", "ADMIN"])
def test_the_admin_api_refuses_them(app, admin, name):
    response = new_user(admin, name)
    assert response.status_code == 400 and response.json["field"] == "username"
    assert user_count(app) == 1


@pytest.mark.parametrize("name", ["مریم", "Фарҳод", "maryam"])
def test_the_admin_api_accepts_each_script(app, admin, name):
    assert new_user(admin, name).status_code == 201
    assert new_user(admin, name + "2").status_code == 201


def page_token(client) -> str:
    page = client.get("/admin/users").data
    return re.search(rb'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1).decode()


@pytest.mark.parametrize(
    "name, language, reason",
    [
        ("\u0430dmin", "en", "must be written in one script"),
        ("Admin", "en", "looks like the existing username admin"),
        ("\u0430dmin", "fa", "باید با یک خط نوشته شود"),
        ("Admin", "tg", "ба номи корбарии мавҷуда admin монанд аст"),
    ],
)
def test_the_admin_page_says_why_in_the_admins_language(app, admin, name, language, reason):
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "admin")).language = language
        db.session.commit()
    form = {"csrf_token": page_token(admin), "username": name, "role": "counselor", "language": "fa",
            "password": PASSWORD, "password_again": PASSWORD, "phone_number": ""}  # fmt: skip
    response = admin.post("/admin/users", data=form)
    assert response.status_code == 400 and reason in response.text
    assert user_count(app) == 1


def test_the_command_refuses_them(app, runner, auth):
    auth.create("admin", "admin")
    for name, said in (("\u0430dmin2", "one script"), ("ADMIN", "looks like the existing user admin"), ("\uff41bc", "usual form")):
        result = runner.invoke(args=["users", "create", name, "--role", "counselor"], input=f"{PASSWORD}\n{PASSWORD}\n")
        assert result.exit_code != 0 and said in result.output, result.output
    for name in ("مریم", "Фарҳод", "maryam"):
        result = runner.invoke(args=["users", "create", name, "--role", "counselor"], input=f"{PASSWORD}\n{PASSWORD}\n")
        assert result.exit_code == 0, result.output
    assert user_count(app) == 4
