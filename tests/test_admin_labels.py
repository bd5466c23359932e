"""Taxonomy labels: changed per language, shown everywhere, checked, reset, failing open."""


import pytest

from helpline.db import db
from helpline.in_force import saved as saved_settings
from helpline.in_force.taxonomy_labels import current_taxonomy
from helpline.models import Setting
from helpline.taxonomy import DEFAULT_PATH, LANGUAGES, TaxonomyError, load
from tests.support.admin import save_setting, settings_rows, warnings_of
from tests.support.users import post_form

NEW_LABELS = {"fa": "نگرانی شدید", "en": "Severe worry", "tg": "Ташвиши шадид"}


def api_label(client, key: str, language: str) -> str:
    body = client.get(f"/api/taxonomy?lang={language}").json
    entries = [
        *body["categories"], *(child for top in body["categories"] for child in top["children"]),
        *body["call_types"], *body["outcomes"], *body["risk_levels"],
    ]
    return next(entry["label"] for entry in entries if entry["key"] == key)


def test_with_labels_replaces_labels_and_keeps_keys():
    taxonomy = load(DEFAULT_PATH)
    relabelled = taxonomy.with_labels({"anxiety": {"en": "Worry"}, "high": {"fa": "خطر زیاد"}})
    assert relabelled.label("anxiety", "en") == "Worry"
    assert relabelled.label("anxiety", "fa") == taxonomy.label("anxiety", "fa")
    assert relabelled.label("high", "fa") == "خطر زیاد"
    assert relabelled.parent_of("anxiety") == "counselling"
    assert (relabelled.category_keys, relabelled.risk_levels) == (taxonomy.category_keys, taxonomy.risk_levels)
    assert taxonomy.label("anxiety", "en") == "Anxiety and worry"


@pytest.mark.parametrize(
    "overrides, message",
    [({"astrology": {"en": "x"}}, "unknown taxonomy key"), ({"anxiety": {"de": "x"}}, "unknown language"),
     ({"anxiety": {"en": " "}}, "empty")],
)
def test_with_labels_refuses_what_does_not_fit(overrides, message):
    with pytest.raises(TaxonomyError, match=message):
        load(DEFAULT_PATH).with_labels(overrides)


def test_changed_labels_appear_in_the_api_in_each_language_and_on_the_dashboard(app, admin):
    page = admin.get("/admin/labels/anxiety")
    assert page.status_code == 200 and b"Anxiety and worry" in page.data
    response = post_form(admin, "/admin/labels/anxiety", NEW_LABELS)
    assert response.status_code == 302
    for language in LANGUAGES:
        assert api_label(admin, "anxiety", language) == NEW_LABELS[language]
    assert api_label(admin, "depression", "en") == "Depression and low mood"
    assert "Severe worry" in admin.get("/dashboard?lang=en").get_data(as_text=True)
    assert b"Severe worry" in admin.get("/admin/labels").data


def test_only_labels_that_differ_from_the_file_are_saved(app, admin):
    same_fa = {**NEW_LABELS, "fa": load(DEFAULT_PATH).label("anxiety", "fa")}
    assert post_form(admin, "/admin/labels/anxiety", same_fa).status_code == 302
    assert settings_rows(app) == {"taxonomy_labels": {"anxiety": {"en": "Severe worry", "tg": "Ташвиши шадид"}}}


def test_reset_brings_the_files_labels_back(app, admin):
    post_form(admin, "/admin/labels/anxiety", NEW_LABELS)
    assert post_form(admin, "/admin/labels/anxiety/reset").status_code == 302
    assert api_label(admin, "anxiety", "en") == "Anxiety and worry"
    assert settings_rows(app) == {}


@pytest.mark.parametrize(
    "change, message",
    [({"en": "   "}, b"must not be empty"), ({"en": "x" * 121}, b"at most 120"), ({"tg": "bell\x07"}, b"control characters")],
)
def test_bad_labels_on_the_page_change_nothing(app, admin, change, message):
    response = post_form(admin, "/admin/labels/anxiety", {**NEW_LABELS, **change})
    assert response.status_code == 400 and message in response.data
    assert settings_rows(app) == {}


def test_labels_over_json(app, admin):
    response = admin.put("/api/admin/labels/imminent", json={"en": "  Danger   right now "})
    assert response.status_code == 200
    assert response.json["labels"]["en"] == "Danger right now" and response.json["changed"] == {"en": "Danger right now"}
    assert api_label(admin, "imminent", "en") == "Danger right now"
    assert admin.get("/api/admin/labels").json["changed"] == {"imminent": {"en": "Danger right now"}}
    response = admin.put("/api/admin/labels/imminent", json={"en": None})
    assert response.status_code == 200 and response.json["changed"] == {}
    assert settings_rows(app) == {}


@pytest.mark.parametrize(
    "key, body, status",
    [("anxiety", {"de": "Sorge"}, 400), ("anxiety", {"en": 7}, 400), ("anxiety", {"en": "\ud800"}, 400),
     ("anxiety", ["Worry"], 400), ("astrology", {"en": "Stars"}, 404)],
)
def test_bad_labels_over_json_change_nothing(app, admin, key, body, status):
    assert admin.put(f"/api/admin/labels/{key}", json=body).status_code == status
    assert settings_rows(app) == {}


def test_a_broken_saved_value_falls_back_to_the_files_labels(app, admin, caplog, monkeypatch):
    save_setting(app, "taxonomy_labels", {"anxiety": {"en": "Kept"}, "astrology": {"en": "Stars"}, "stress": "oops"})
    with warnings_of("helpline.in_force.taxonomy_labels", caplog, monkeypatch):
        assert api_label(admin, "anxiety", "en") == "Kept"
        assert api_label(admin, "stress", "en") == "Stress"
    assert "astrology" in caplog.text
    save_setting(app, "taxonomy_labels", ["not", "an", "object"])
    assert api_label(admin, "anxiety", "en") == "Anxiety and worry"


def test_the_files_labels_when_the_database_does_not_answer(app, fragile, monkeypatch):
    fragile_app, outage = fragile
    save_setting(app, "taxonomy_labels", {"anxiety": {"en": "Saved"}})
    with fragile_app.test_request_context():
        assert current_taxonomy().label("anxiety", "en") == "Saved"
    # What the process read a moment ago is still what was saved.
    with outage.down(), fragile_app.test_request_context():
        assert current_taxonomy().label("anxiety", "en") == "Saved"
    monkeypatch.setattr(saved_settings, "SHARED_SECONDS", 0)
    with outage.down(), fragile_app.test_request_context():
        assert current_taxonomy().label("anxiety", "en") == "Anxiety and worry"
        db.session.remove()
    with fragile_app.app_context():
        assert db.session.get(Setting, "taxonomy_labels") is not None
