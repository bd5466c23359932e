"""The phone menu's prompts and keys: changed by an admin, heard by callers, failing open."""

import time

import pytest

import config
from helpline.db import db
from helpline.in_force import saved as saved_settings
from helpline.in_force.phone_menu import menu_in_force
from helpline.menu import PROMPT_NAMES, MenuError, Prompt, load
from tests.support.admin import save_setting, settings_rows, warnings_of
from tests.support.calls import call_record, place_call, twiml
from tests.support.provider import Provider, new_call_sid
from tests.support.users import post_form

FILE_GREETING = "You have reached the 1480 counselling line. This call is confidential."
NEW_GREETING = "Welcome to the 1480 line. Everything you say stays between us."
RECORDING = "https://media.example.org/1480/greeting-fa.mp3"


def greeting(provider, lang: str = "en"):
    root = twiml(provider.post(f"/twilio/voice?lang={lang}", Provider.params(new_call_sid(), CallStatus="ringing")))
    first = root[0]
    assert root.find("Gather") is not None
    return first.tag, first.text


def prompts_form(language: str, **changed) -> dict:
    """The prompts form as posted: the file's prompts with some changed (name=(kind, text))."""
    prompts = load(config.CONFIG_DIR / "menu.toml").languages[language].prompts
    data = {}
    for name in PROMPT_NAMES:
        kind, text = changed.get(name, ("play", prompts[name].play) if prompts[name].play else ("say", prompts[name].say))
        data[f"{name}_kind"], data[f"{name}_text"] = kind, text
    return data


def keys_form(**keys) -> dict:
    mapping = {"1": "counselling", "2": "children_family", "3": "disability", "4": "elderly", "5": "addiction_social_harms"}
    mapping.update(keys)
    return {f"key_{digit}": mapping.get(digit, "") for digit in "0123456789" if digit != "9"}


def test_with_overrides_keeps_the_emergency_key():
    menu = load(config.CONFIG_DIR / "menu.toml")
    changed = menu.with_overrides(keys={"1": "elderly", "9": "suicide_self_harm"}, prompts={"en": {"goodbye": Prompt(say="Bye.")}})
    assert changed.keys == {"1": "elderly", "9": "suicide_self_harm"}
    assert changed.language("en").prompts["goodbye"] == Prompt(say="Bye.")
    assert changed.language("en").prompts["greeting"] == menu.language("en").prompts["greeting"]
    assert menu.language("en").prompts["goodbye"].say == "Thank you for calling."
    for keys, prompts, message in [
        ({"1": "elderly"}, None, "emergency key"),
        ({"9": "elderly"}, None, "emergency key"),
        ({"10": "elderly", "9": "suicide_self_harm"}, None, "single phone key"),
        (None, {"de": {}}, "language"),
        (None, {"en": {"farewell": Prompt(say="x")}}, "farewell"),
        (None, {"en": {"goodbye": Prompt()}}, "exactly one"),
    ]:
        with pytest.raises(MenuError, match=message):
            menu.with_overrides(keys=keys, prompts=prompts)


def test_a_changed_prompt_is_heard_in_the_twiml(app, admin, provider):
    assert greeting(provider) == ("Say", FILE_GREETING)
    assert admin.get("/admin/menu/prompts/en").status_code == 200
    response = post_form(admin, "/admin/menu/prompts/en", prompts_form("en", greeting=("say", NEW_GREETING)))
    assert response.status_code == 302
    assert greeting(provider) == ("Say", NEW_GREETING)
    assert settings_rows(app) == {"menu": {"prompts": {"en": {"greeting": {"say": NEW_GREETING}}}}}
    # Persian callers still hear the file's Persian greeting.
    assert greeting(provider, "fa")[1].startswith("با خط مشاوره")


def test_a_recording_is_played(app, admin, provider):
    response = admin.put("/api/admin/menu/prompts/fa/greeting", json={"play": RECORDING})
    assert response.status_code == 200 and response.json["languages"]["fa"]["greeting"] == {"play": RECORDING}
    assert greeting(provider, "fa") == ("Play", RECORDING)


def test_the_position_prompt_keeps_its_placeholder(app, admin, provider):
    response = admin.put("/api/admin/menu/prompts/en/position", json={"say": "Callers before you: {position}."})
    assert response.status_code == 200
    call_sid = new_call_sid()
    enqueue = place_call(provider, call_sid, "1").find("Enqueue")
    hold = twiml(provider.post(enqueue.get("waitUrl"), Provider.params(call_sid, QueuePosition="1", QueueTime="3")))
    assert hold.find("Say").text == "Callers before you: 1."


@pytest.mark.parametrize(
    "name, body, message",
    [
        ("position", {"say": "You are {place} in line."}, "{position}"),
        ("expected_wait", {"say": "About {minutes!r} minutes."}, "{minutes}"),
        ("expected_wait", {"say": "About {minutes minutes."}, "{minutes}"),
        ("greeting", {"say": "Hello {position}"}, "no placeholders"),
        ("greeting", {"say": ""}, "must not be empty"),
        ("greeting", {"say": "x" * 1001}, "at most 1000"),
        ("greeting", {"play": "ftp://media.example.org/a.mp3"}, "http"),
        ("greeting", {"play": "https:///nohost.mp3"}, "http"),
        ("greeting", {"play": "https://media.example.org/a b.mp3"}, "spaces"),
        ("greeting", {"sing": "la la"}, "say"),
        ("greeting", {"say": "Hi", "play": RECORDING}, "say"),
        ("farewell", {"say": "Bye"}, "not one of"),
    ],
)
def test_bad_prompts_change_nothing(app, admin, provider, name, body, message):
    response = admin.put(f"/api/admin/menu/prompts/en/{name}", json=body)
    assert response.status_code == 400 and message in response.json["error"]
    assert settings_rows(app) == {}
    assert greeting(provider) == ("Say", FILE_GREETING)


def test_a_bad_prompt_on_the_page_changes_nothing(app, admin):
    form = prompts_form("en", greeting=("say", NEW_GREETING), goodbye=("play", "media.example.org/bye.mp3"))
    response = post_form(admin, "/admin/menu/prompts/en", form)
    assert response.status_code == 400 and b"must be an http:// or https:// URL" in response.data
    assert settings_rows(app) == {}
    assert admin.get("/admin/menu/prompts/de").status_code == 404


def test_changed_keys_lead_to_their_categories(app, admin, provider):
    assert admin.get("/admin/menu").status_code == 200
    response = post_form(admin, "/admin/menu/keys", keys_form(**{"4": "", "6": "elderly", "0": "information_referral"}))
    assert response.status_code == 302
    assert admin.get("/api/admin/menu").json["keys"] == {
        "0": "information_referral", "1": "counselling", "2": "children_family", "3": "disability",
        "5": "addiction_social_harms", "6": "elderly", "9": "suicide_self_harm",
    }
    six, zero, nine = new_call_sid(), new_call_sid(), new_call_sid()
    place_call(provider, six, "6", caller="+989121110006")
    place_call(provider, zero, "0", caller="+989121110000")
    place_call(provider, nine, "9", caller="+989121110009")
    assert call_record(app, six).category == "elderly"
    assert call_record(app, zero).category == "information_referral"
    assert (call_record(app, nine).category, call_record(app, nine).priority) == ("suicide_self_harm", "emergency")
    # Key 4 leads nowhere now: the caller is asked again.
    root = twiml(provider.post("/twilio/menu?attempt=1&lang=en", {**Provider.params(new_call_sid()), "Digits": "4"}))
    assert root.find("Gather") is not None


@pytest.mark.parametrize(
    "keys, field",
    [
        ({"9": "elderly"}, "9"),
        ({"9": ""}, "9"),
        ({"6": "suicide_self_harm"}, "6"),
        ({"6": "anxiety"}, "6"),
        ({"*": "elderly"}, "*"),
        ({"7": 7}, "7"),
    ],
)
def test_bad_keys_change_nothing(app, admin, keys, field):
    response = admin.put("/api/admin/menu/keys", json={"1": "counselling", **keys})
    assert response.status_code == 400 and response.json["field"] == field
    assert settings_rows(app) == {}


def test_the_emergency_key_cannot_be_changed_on_the_page(app, admin):
    response = post_form(admin, "/admin/menu/keys", {**keys_form(), "key_9": "elderly"})
    assert response.status_code == 400 and b"the emergency key keeps its category" in response.data
    assert settings_rows(app) == {}


def test_the_files_keys_are_not_saved_and_reset_forgets_everything(app, admin):
    assert post_form(admin, "/admin/menu/keys", keys_form()).status_code == 302
    assert settings_rows(app) == {}
    admin.put("/api/admin/menu/prompts/en/goodbye", json={"say": "Take care."})
    admin.put("/api/admin/menu/keys", json={"1": "elderly", "9": "suicide_self_harm"})
    assert set(settings_rows(app)["menu"]) == {"keys", "prompts"}
    assert post_form(admin, "/admin/menu/reset").status_code == 302
    assert settings_rows(app) == {}


def test_a_saved_menu_that_no_longer_fits_falls_back_to_the_file(app, provider, caplog, monkeypatch):
    save_setting(app, "menu", {"keys": {"9": "elderly"}, "prompts": {"en": {"greeting": {"say": NEW_GREETING}}}})
    with warnings_of("helpline.in_force.phone_menu", caplog, monkeypatch):
        assert greeting(provider) == ("Say", FILE_GREETING)
    assert "the saved menu does not fit the menu file (9)" in caplog.text
    save_setting(app, "menu", "garbage")
    assert greeting(provider) == ("Say", FILE_GREETING)
    with app.test_request_context():
        assert menu_in_force() is app.extensions["helpline.menu"]


def test_the_files_menu_when_the_database_does_not_answer(app, fragile, monkeypatch):
    fragile_app, outage = fragile
    fragile_provider = Provider(fragile_app.test_client(), fragile_app.config["TWILIO_AUTH_TOKEN"])
    save_setting(app, "menu", {"prompts": {"en": {"greeting": {"say": NEW_GREETING}}}})
    assert greeting(fragile_provider) == ("Say", NEW_GREETING)
    # What the process read a moment ago is still what was saved.
    with outage.down():
        assert greeting(fragile_provider) == ("Say", NEW_GREETING)
    monkeypatch.setattr(saved_settings, "SHARED_SECONDS", 0)
    # SQLite's outage is a held write lock, which leaves reads answering: the saved greeting
    # is still read. PostgreSQL's is a dropped connection: the file's greeting stands in.
    expected = NEW_GREETING if fragile_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else FILE_GREETING
    with outage.down():
        started = time.monotonic()
        assert greeting(fragile_provider) == ("Say", expected)
        # One wait for the settings and one for recording the webhook, not one per value read.
        assert time.monotonic() - started < 4 * fragile_app.config["DATABASE_TIMEOUT_SECONDS"] + 1
        assert fragile_app.extensions["helpline.spool"].pending()
    assert greeting(fragile_provider) == ("Say", NEW_GREETING)
    with fragile_app.app_context():
        db.session.remove()
