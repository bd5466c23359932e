"""The Persian and Tajik catalogs: every message translated, none fuzzy, placeholders kept, each
compiles; every message in the code and templates has its entry; and the compiled catalogs the
app reads (`make install` builds them) say what the .po files say."""

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

import config

TRANSLATIONS = config.ROOT / "helpline" / "translations"
LANGUAGES = ("fa", "tg")
# The keywords of babel.cfg's extraction command (besides Babel's own: _, gettext, ngettext, N_, …).
EXTRA_KEYWORDS = {"lazy_gettext": None, "_l": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdgif]|\{(\w+)\}")


def catalog(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=language)


def messages(language: str):
    return [message for message in catalog(language) if message.id]


def placeholders(text: str) -> set[str]:
    return {"".join(match) for match in PLACEHOLDER.findall(text)}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    entries = catalog(language)
    assert not entries.fuzzy, "the catalog's header is marked fuzzy"
    untranslated = [message.id for message in messages(language) if not all(messages_strings(message))]
    fuzzy = [message.id for message in messages(language) if message.fuzzy]
    assert untranslated == [] and fuzzy == []


def messages_strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language):
    wrong = []
    for message in messages(language):
        source = message.id if isinstance(message.id, str) else message.id[0]
        wanted = placeholders(source)
        for text in messages_strings(message):
            if placeholders(text) != wanted:
                wrong.append((source, text))
    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_babels_checks_pass_and_the_catalog_compiles(language):
    entries = catalog(language)
    problems = [(message.id, [str(error) for error in errors]) for message, errors in entries.check()]
    assert problems == []
    compiled = io.BytesIO()
    write_mo(compiled, entries)
    compiled.seek(0)
    assert len(read_mo(compiled)) == len(entries)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_is_up_to_date(language):
    path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo"
    assert path.is_file(), f"{path} is missing: run `make install` (it runs pybabel compile)"
    with open(path, "rb") as mo:
        compiled = {hashable(message.id): hashable(message.string) for message in read_mo(mo) if message.id}
    written = {hashable(message.id): hashable(message.string) for message in messages(language)}
    stale = sorted(str(key) for key in written.keys() - compiled.keys()) + sorted(
        str(key) for key in written.keys() & compiled.keys() if written[key] != compiled[key]
    )
    assert stale == [], f"{path} is older than its .po file: run `make install`"


def hashable(text):
    """A plural message's forms are a list in one reader and a tuple in the other."""
    return text if isinstance(text, str) else tuple(text)


def extracted_ids() -> set:
    mapping, options = parse_mapping_cfg(io.StringIO((config.ROOT / "babel.cfg").read_text()))
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(config.ROOT), mapping, options_map=options, keywords={
        "_": None, "gettext": None, "ngettext": (1, 2), "N_": None, **EXTRA_KEYWORDS,
    }):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_of_the_code_and_templates_is_in_the_catalog(language):
    known = {message.id if isinstance(message.id, str) else message.id[0] for message in messages(language)}
    missing = sorted(extracted_ids() - known)
    assert missing == [], "new messages: extract, update and translate them (see babel.cfg)"


def test_the_catalogs_are_where_the_app_reads_them(app):
    assert Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]) == TRANSLATIONS
