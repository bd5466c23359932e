"""The phone menu as an administrator changed it: prompts per language and the key mapping.

Saved under one `settings` row, `{"keys": {key: category}, "prompts": {language: {name:
{"say"|"play": text}}}}`, holding only what differs from `config/menu.toml`. `menu_in_force()`
is what callers hear; it fails open to the file's menu, with a warning, when the database does
not answer or the saved value no longer fits the file (nobody hears an error because of us).
"""

import logging
from collections.abc import Mapping
from string import Formatter

from flask import current_app
from flask_babel import gettext as _

from helpline.in_force.saved import forget, locked_value, per_request, snapshot, store
from helpline.in_force.text_checks import clean_text, clean_url
from helpline.menu import PROMPT_NAMES, Menu, MenuError, Prompt

log = logging.getLogger(__name__)

MENU_KEY = "menu"
MAX_SAY = 1000
MAX_URL = 500
DIGITS = tuple("0123456789")
# The prompts the service fills in, and with what (see helpline.telephony.twilio.twiml.hold).
PLACEHOLDERS = {"position": ("position",), "expected_wait": ("minutes",)}

PromptOverrides = dict[str, dict[str, Prompt]]


class MenuChangeError(ValueError):
    """A bad change; `field` names the key or the prompt, `reason` is translated."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


def file_menu() -> Menu:
    return current_app.extensions["helpline.menu"]


def top_level_categories() -> frozenset[str]:
    return current_app.extensions["helpline.taxonomy"].top_level_keys


def checked_prompt(name: str, kind: object, text: object) -> Prompt:
    """A prompt from its kind (`say` or `play`) and its text or URL."""
    if name not in PROMPT_NAMES:
        raise MenuChangeError(name, _("not one of the menu's prompts"))
    try:
        if kind == "play":
            return Prompt(play=clean_url(text, limit=MAX_URL))
        if kind != "say":
            raise ValueError(_("say it (say) or play a recording (play)"))
        spoken = clean_text(text, limit=MAX_SAY)
        check_placeholders(name, spoken)
    except ValueError as reason:
        raise MenuChangeError(name, str(reason)) from None
    return Prompt(say=spoken)


def check_placeholders(name: str, text: str) -> None:
    """Only the placeholders the service fills in for this prompt: anything else would fail
    the caller's TwiML when the text is formatted, or be read out as braces."""
    allowed = PLACEHOLDERS.get(name, ())
    if not allowed:
        if "{" in text or "}" in text:
            raise ValueError(_("this prompt takes no placeholders: leave out { and }"))
        return
    expected = ", ".join("{" + placeholder + "}" for placeholder in allowed)
    try:
        fields = [(field, spec, conversion) for _literal, field, spec, conversion in Formatter().parse(text) if field is not None]
    except ValueError:
        fields = None
    if fields is None or any(field not in allowed or spec or conversion for field, spec, conversion in fields):
        raise ValueError(_("the only placeholder here is %(placeholders)s", placeholders=expected))


def checked_keys(raw: Mapping[str, object], menu: Menu, categories: frozenset[str]) -> dict[str, str]:
    """A whole key mapping: keys 0-9 to top-level categories; the emergency key keeps its
    category (added when left out) and no other key leads to it without the emergency priority."""
    emergency_category = menu.keys[menu.emergency_key]
    keys = {}
    for key, category in raw.items():
        if key not in DIGITS:
            raise MenuChangeError(str(key), _("keys are the digits 0 to 9"))
        if category in (None, ""):
            continue
        if not isinstance(category, str) or category not in categories:
            raise MenuChangeError(key, _("not a top-level category of the taxonomy"))
        if key == menu.emergency_key and category != emergency_category:
            raise MenuChangeError(key, _("the emergency key keeps its category"))
        if key != menu.emergency_key and category == emergency_category:
            raise MenuChangeError(key, _("this category is reached by the emergency key only"))
        keys[key] = category
    if raw.get(menu.emergency_key) in (None, "") and menu.emergency_key in raw:
        raise MenuChangeError(menu.emergency_key, _("the emergency key keeps its category"))
    keys[menu.emergency_key] = emergency_category
    return dict(sorted(keys.items()))


def parsed_overrides(raw: object, menu: Menu, categories: frozenset[str]) -> tuple[dict[str, str] | None, PromptOverrides]:
    """A saved value, checked as strictly as when it was saved; MenuChangeError otherwise."""
    if not isinstance(raw, dict) or set(raw) - {"keys", "prompts"}:
        raise MenuChangeError(MENU_KEY, "not an object of keys and prompts")
    keys = None
    if "keys" in raw:
        if not isinstance(raw["keys"], dict):
            raise MenuChangeError("keys", "not an object")
        keys = checked_keys(raw["keys"], menu, categories)
    prompts: PromptOverrides = {}
    saved_prompts = raw.get("prompts", {})
    if not isinstance(saved_prompts, dict):
        raise MenuChangeError("prompts", "not an object")
    for code, named in saved_prompts.items():
        if code not in menu.languages or not isinstance(named, dict):
            raise MenuChangeError(str(code), "not a language of the menu")
        for name, prompt in named.items():
            if not isinstance(prompt, dict) or len(prompt) != 1:
                raise MenuChangeError(str(name), "not a prompt")
            kind, text = next(iter(prompt.items()))
            prompts.setdefault(code, {})[name] = checked_prompt(name, kind, text)
    return keys, prompts


def menu_in_force() -> Menu:
    """The file's menu with the saved changes; the file's alone if they cannot be read or used."""
    return per_request("menu", changed_menu)


def changed_menu() -> Menu:
    menu = file_menu()
    raw = snapshot().get(MENU_KEY)
    if raw is None:
        return menu
    try:
        keys, prompts = parsed_overrides(raw, menu, top_level_categories())
        return menu.with_overrides(keys=keys, prompts=prompts)
    except (MenuChangeError, MenuError) as problem:
        # MenuChangeError's reason is in the caller's language: the log names the field instead.
        where = problem.field if isinstance(problem, MenuChangeError) else str(problem)
        log.warning("the saved menu does not fit the menu file (%s); using the file's menu", where)
        return menu


def prompt_json(prompt: Prompt) -> dict[str, str]:
    return {"play": prompt.play} if prompt.play else {"say": prompt.say}


def saved_for_editing() -> tuple[dict[str, str] | None, PromptOverrides]:
    """The saved changes, locked for this transaction; none when they no longer fit the file."""
    raw = locked_value(MENU_KEY)
    if raw is None:
        return None, {}
    try:
        return parsed_overrides(raw, file_menu(), top_level_categories())
    except MenuChangeError:
        return None, {}


def put_prompts(code: str, prompts: Mapping[str, Prompt], user_id: int) -> None:
    """Save some prompts of one language (checked by `checked_prompt`); the caller commits."""
    if code not in file_menu().languages:
        raise MenuChangeError("language", _("not a language of the menu"))
    keys, saved = saved_for_editing()
    changed = dict(saved.get(code, {}))
    for name, prompt in prompts.items():
        if prompt == file_menu().languages[code].prompts[name]:
            changed.pop(name, None)
        else:
            changed[name] = prompt
    save(keys, {**saved, code: changed}, user_id)


def put_keys(keys: dict[str, str], user_id: int) -> None:
    """Save a whole key mapping (checked by `checked_keys`); the caller commits."""
    _saved_keys, saved = saved_for_editing()
    save(None if keys == file_menu().keys else keys, saved, user_id)


def save(keys: dict[str, str] | None, prompts: PromptOverrides, user_id: int) -> None:
    value: dict = {}
    if keys is not None:
        value["keys"] = keys
    kept = {code: {name: prompt_json(p) for name, p in named.items()} for code, named in prompts.items() if named}
    if kept:
        value["prompts"] = kept
    if value:
        store(MENU_KEY, value, user_id)
    else:
        forget(MENU_KEY)


def reset_menu() -> bool:
    """Back to the file's menu; the caller commits."""
    return forget(MENU_KEY)
