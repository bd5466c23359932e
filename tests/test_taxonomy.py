"""The default taxonomy file's content, and the checks `helpline.taxonomy.load` makes."""

import json
import re
import tomllib
import unicodedata
from pathlib import Path

import pytest

from helpline.taxonomy import LANGUAGES, RISK_LEVELS, Taxonomy, TaxonomyError, load

DEFAULT = Path(__file__).resolve().parent.parent / "config" / "taxonomy.toml"

TOP_LEVEL = (
    "counselling",
    "suicide_self_harm",
    "children_family",
    "disability",
    "elderly",
    "addiction_social_harms",
    "information_referral",
    "non_counselling",
)

REQUIRED_CHILDREN = {
    "anxiety": "counselling",
    "depression": "counselling",
    "suicidal_thoughts": "suicide_self_harm",
    "suicide_attempt": "suicide_self_harm",
    "self_harm": "suicide_self_harm",
    "physical_abuse": "children_family",
    "sexual_abuse": "children_family",
    "emotional_abuse": "children_family",
    "neglect": "children_family",
    "children_without_guardianship": "children_family",
    "alternative_families": "children_family",
    "parenting": "children_family",
    "marital_conflict": "children_family",
    "premarital_counselling": "children_family",
    "domestic_violence": "children_family",
    "child_labour": "children_family",
    "early_forced_marriage": "children_family",
    "rehabilitation": "disability",
    "disability_prevention": "disability",
    "genetic_counselling": "disability",
    "elder_care": "elderly",
    "elder_abuse": "elderly",
    "residential_care": "elderly",
    "elderly_loneliness": "elderly",
    "substance_use": "addiction_social_harms",
    "behavioural_addiction": "addiction_social_harms",
    "homelessness": "addiction_social_harms",
    "running_away": "addiction_social_harms",
    "street_children": "addiction_social_harms",
    "service_information": "information_referral",
    "referral_to_organisation": "information_referral",
    "silent_call": "non_counselling",
    "prank_call": "non_counselling",
    "wrong_number_call": "non_counselling",
    "abusive_call": "non_counselling",
    "hung_up_call": "non_counselling",
    "thank_you_call": "non_counselling",
}

CALL_TYPES = (
    "about_self",
    "about_someone_else",
    "information_request",
    "silent",
    "prank",
    "wrong_number",
    "abusive",
    "hang_up",
)
OUTCOMES = (
    "counselled",
    "information_given",
    "referred",
    "emergency_services_contacted",
    "follow_up_scheduled",
    "caller_hung_up",
)

ARABIC_YEH, ARABIC_KAF = "\u064a", "\u0643"


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load(DEFAULT)


@pytest.fixture(scope="module")
def raw_entries() -> list[dict]:
    """Every entry of the default file as written, read without the module under test."""
    data = tomllib.loads(DEFAULT.read_text(encoding="utf-8"))
    entries = []
    for top in data["categories"]:
        entries.append(top)
        entries.extend(top.get("children", []))
    for section in ("call_types", "outcomes", "risk_levels"):
        entries.extend(data[section])
    return entries


# The default file


def test_default_has_every_top_level_group(taxonomy):
    assert set(TOP_LEVEL) <= taxonomy.top_level_keys
    assert all(taxonomy.parent_of(key) is None for key in TOP_LEVEL)


@pytest.mark.parametrize("child, parent", REQUIRED_CHILDREN.items())
def test_default_has_required_child(taxonomy, child, parent):
    assert child in taxonomy.category_keys
    assert taxonomy.parent_of(child) == parent


def test_every_group_has_an_other_child(taxonomy):
    for top in taxonomy.categories:
        assert f"{top.key}_other" in {child.key for child in top.children}, top.key
        assert len(top.children) >= 3, top.key


def test_category_keys_cover_both_levels(taxonomy):
    children = {child.key for top in taxonomy.categories for child in top.children}
    assert taxonomy.category_keys == taxonomy.top_level_keys | children
    assert not taxonomy.top_level_keys & children


def test_default_call_types_outcomes_and_risk_levels(taxonomy):
    assert set(CALL_TYPES) <= taxonomy.call_type_keys
    assert set(OUTCOMES) <= taxonomy.outcome_keys
    assert taxonomy.risk_levels == ("none", "low", "medium", "high", "imminent")


def test_every_entry_has_three_labels(raw_entries):
    assert len(raw_entries) > 80
    for entry in raw_entries:
        assert set(entry["label"]) == set(LANGUAGES), entry["key"]
        for language in LANGUAGES:
            assert entry["label"][language].strip(), (entry["key"], language)


def test_persian_labels_are_persian(raw_entries):
    for entry in raw_entries:
        label = entry["label"]["fa"]
        assert ARABIC_YEH not in label and ARABIC_KAF not in label, (entry["key"], label)
        assert re.search("[\u0600-\u06ff]", label), (entry["key"], label)
        assert not re.search("[A-Za-z\u0400-\u04ff]", label), (entry["key"], label)


def test_tajik_labels_are_cyrillic(raw_entries):
    for entry in raw_entries:
        label = entry["label"]["tg"]
        letters = [char for char in label if char.isalpha()]
        assert letters and all("CYRILLIC" in unicodedata.name(char) for char in letters), (entry["key"], label)


def test_tajik_labels_use_tajik_letters(raw_entries):
    # Russian-only spelling would lack these; a handful of labels must use them.
    tajik = set("ӣӯқғҳҷ")
    assert sum(1 for entry in raw_entries if tajik & set(entry["label"]["tg"].lower())) > 50


def test_english_labels_are_ascii(raw_entries):
    for entry in raw_entries:
        assert entry["label"]["en"].isascii(), entry["key"]


def test_sibling_labels_are_distinct(taxonomy):
    groups = [taxonomy.categories, taxonomy.call_types, taxonomy.outcomes, taxonomy.risk_level_entries]
    groups += [top.children for top in taxonomy.categories]
    for group in groups:
        for language in LANGUAGES:
            labels = [entry.labels[language] for entry in group]
            assert len(labels) == len(set(labels)), (language, labels)


# Lookups


def test_label_in_each_language(taxonomy, raw_entries):
    anxiety = next(entry for entry in raw_entries if entry["key"] == "anxiety")
    for language in LANGUAGES:
        assert taxonomy.label("anxiety", language) == anxiety["label"][language]
    assert taxonomy.label("imminent", "en") == "Imminent danger"
    assert taxonomy.label("about_self", "fa") != taxonomy.label("about_self", "en")


def test_label_falls_back_to_english(taxonomy):
    assert taxonomy.label("depression", "ru") == taxonomy.label("depression", "en")
    assert taxonomy.label("depression", "fa-IR") == taxonomy.label("depression", "fa")


def test_unknown_key_raises(taxonomy):
    with pytest.raises(KeyError):
        taxonomy.label("no_such_key", "en")
    with pytest.raises(KeyError):
        taxonomy.parent_of("no_such_key")
    with pytest.raises(KeyError):
        taxonomy.parent_of("about_self")


@pytest.mark.parametrize("language", LANGUAGES)
def test_as_api_shape(taxonomy, language):
    body = taxonomy.as_api(language)
    assert list(body) == ["categories", "call_types", "outcomes", "risk_levels"]
    assert [item["key"] for item in body["categories"]] == [top.key for top in taxonomy.categories]
    for item in body["categories"]:
        assert set(item) == {"key", "label", "children"}
        assert item["label"] == taxonomy.label(item["key"], language)
        assert item["children"]
        for child in item["children"]:
            assert child == {"key": child["key"], "label": taxonomy.label(child["key"], language), "children": []}
            assert taxonomy.parent_of(child["key"]) == item["key"]
    for section in ("call_types", "outcomes", "risk_levels"):
        for item in body[section]:
            assert item == {"key": item["key"], "label": taxonomy.label(item["key"], language)}
    assert {item["key"] for item in body["call_types"]} == taxonomy.call_type_keys
    assert {item["key"] for item in body["outcomes"]} == taxonomy.outcome_keys
    assert tuple(item["key"] for item in body["risk_levels"]) == RISK_LEVELS
    assert json.loads(json.dumps(body, ensure_ascii=False)) == body


def test_as_api_languages_differ(taxonomy):
    persian, english, tajik = (taxonomy.as_api(language) for language in LANGUAGES)
    assert persian["categories"][0]["label"] != english["categories"][0]["label"] != tajik["categories"][0]["label"]
    assert taxonomy.as_api("de") == english


# Validation

LABEL = 'label = { fa = "برچسب", en = "Label", tg = "Нишона" }'


def document(
    categories=(("counselling", ("anxiety", "counselling_other")),),
    call_types=("about_self",),
    outcomes=("counselled",),
    risk_levels=RISK_LEVELS,
    labels=None,
    head="",
) -> str:
    """A small taxonomy file; `labels` replaces the label line of the keys it names."""
    labels = labels or {}
    lines = [head]

    def entry(table, key, indent=""):
        lines.extend([f"{indent}[[{table}]]", f'{indent}key = "{key}"', indent + labels.get(key, LABEL), ""])

    for top, children in categories:
        entry("categories", top)
        for child in children:
            entry("categories.children", child, indent="  ")
    for table, keys in (("call_types", call_types), ("outcomes", outcomes), ("risk_levels", risk_levels)):
        for key in keys:
            entry(table, key)
    return "\n".join(lines)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "taxonomy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def assert_rejected(tmp_path: Path, text: str, *fragments: str) -> None:
    with pytest.raises(TaxonomyError) as caught:
        load(write(tmp_path, text))
    message = str(caught.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message


def test_small_document_loads(tmp_path):
    taxonomy = load(write(tmp_path, document()))
    assert taxonomy.category_keys == {"counselling", "anxiety", "counselling_other"}
    assert taxonomy.parent_of("anxiety") == "counselling"
    assert taxonomy.call_type_keys == {"about_self"}
    assert taxonomy.label("anxiety", "tg") == "Нишона"


def test_taxonomy_error_is_a_value_error():
    assert issubclass(TaxonomyError, ValueError)


@pytest.mark.parametrize(
    "text, key",
    [
        (document(categories=[("counselling", ("anxiety", "anxiety"))]), "'anxiety'"),
        (document(categories=[("counselling", ("anxiety",)), ("counselling", ("stress",))]), "'counselling'"),
        (document(categories=[("counselling", ("anxiety",)), ("family", ("anxiety",))]), "'anxiety'"),
        (document(call_types=("anxiety",)), "'anxiety'"),
        (document(outcomes=("counselled", "none")), "'none'"),
    ],
    ids=["sibling", "top-level", "across-groups", "category-and-call-type", "outcome-and-risk-level"],
)
def test_duplicate_key(tmp_path, text, key):
    assert_rejected(tmp_path, text, "duplicate key", key)


@pytest.mark.parametrize("bad", ["Anxiety", "anxiety-disorder", "anxiety disorder", "_anxiety", "anxiety_",
                                 "anx__iety", "2anxiety", "اضطراب", "anxiété"])
def test_key_not_snake_case(tmp_path, bad):
    assert_rejected(tmp_path, document(categories=[("counselling", (bad,))]), repr(bad), "snake_case")


def test_top_level_key_not_snake_case(tmp_path):
    assert_rejected(tmp_path, document(outcomes=("Referred",)), "'Referred'", "snake_case")


@pytest.mark.parametrize("language", LANGUAGES)
def test_missing_label_language(tmp_path, language):
    others = ", ".join(f'{other} = "x"' for other in LANGUAGES if other != language)
    text = document(labels={"anxiety": f"label = {{ {others} }}"})
    assert_rejected(tmp_path, text, "'anxiety'", f"no '{language}' label")


def test_blank_label(tmp_path):
    text = document(labels={"counselled": 'label = { fa = "مشاوره", en = "  ", tg = "Машварат" }'})
    assert_rejected(tmp_path, text, "'counselled'", "no 'en' label")


def test_missing_label_table(tmp_path):
    assert_rejected(tmp_path, document(labels={"about_self": ""}), "'about_self'", "label")


def test_unknown_label_language(tmp_path):
    text = document(labels={"anxiety": 'label = { fa = "ا", en = "A", tg = "И", ru = "Тревога" }'})
    assert_rejected(tmp_path, text, "'anxiety'", "'ru'")


@pytest.mark.parametrize(
    "levels",
    [
        ("none", "low", "medium", "high"),
        ("none", "low", "medium", "high", "imminent", "critical"),
        ("low", "none", "medium", "high", "imminent"),
        ("none", "low", "moderate", "high", "imminent"),
    ],
    ids=["missing", "extra", "order", "renamed"],
)
def test_risk_levels_must_be_the_five(tmp_path, levels):
    assert_rejected(tmp_path, document(risk_levels=levels), "risk_levels", "none, low, medium, high, imminent")


@pytest.mark.parametrize("section", ["categories", "call_types", "outcomes", "risk_levels"])
def test_missing_section(tmp_path, section):
    empty = {"categories": (), "call_types": (), "outcomes": (), "risk_levels": ()}
    assert_rejected(tmp_path, document(**{section: empty[section]}), f"'{section}'", "empty")


def test_empty_section_array(tmp_path):
    assert_rejected(tmp_path, document(outcomes=(), head="outcomes = []"), "'outcomes'", "empty")


def test_group_without_children(tmp_path):
    text = document(categories=[("counselling", ("anxiety",)), ("elderly", ())])
    assert_rejected(tmp_path, text, "'elderly'", "no children")


def test_children_have_no_children(tmp_path):
    text = document() + '\n[[categories.children.children]]\nkey = "panic"\n' + LABEL + "\n"
    assert_rejected(tmp_path, text, "'counselling_other'", "'children'")


def test_unknown_section(tmp_path):
    assert_rejected(tmp_path, document(head="version = 2"), "unknown section", "'version'")


def test_invalid_toml(tmp_path):
    assert_rejected(tmp_path, "[[categories]\nkey = ", "not valid TOML")


def test_missing_file(tmp_path):
    with pytest.raises(TaxonomyError, match="cannot read"):
        load(tmp_path / "absent.toml")
