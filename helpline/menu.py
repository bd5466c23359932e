"""The phone menu's settings (`config/menu.toml`): keys, categories and prompts per language."""

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

PROMPT_NAMES = (
    "greeting",
    "menu",
    "invalid_choice",
    "connecting",
    "position",
    "expected_wait",
    "emergency_hold",
    "requeue",
    "goodbye",
)


class MenuError(ValueError):
    pass


@dataclass(frozen=True)
class Prompt:
    """Text for the provider's speech engine, or the URL of a recording."""

    say: str | None = None
    play: str | None = None

    def format(self, **values) -> "Prompt":
        return Prompt(say=self.say.format(**values), play=None) if self.say else self


@dataclass(frozen=True)
class Language:
    code: str
    voice_language: str
    prompts: dict[str, Prompt]


@dataclass(frozen=True)
class Menu:
    keys: dict[str, str]
    emergency_key: str
    default_category: str
    default_language: str
    gather_timeout: int
    hold_music: str
    languages: dict[str, Language]

    def language(self, code: str | None) -> Language:
        return self.languages.get(code or "", self.languages[self.default_language])

    def with_overrides(
        self, keys: Mapping[str, str] | None = None, prompts: Mapping[str, Mapping[str, Prompt]] | None = None
    ) -> "Menu":
        """This menu with an administrator's changes: a whole new key mapping and/or some prompts
        per language. MenuError if they break the menu's rules (the emergency key keeps its category)."""
        new_keys = dict(self.keys if keys is None else keys)
        for key in new_keys:
            if len(key) != 1 or key not in "0123456789*#":
                raise MenuError(f"menu key {key!r} is not a single phone key")
        if new_keys.get(self.emergency_key) != self.keys[self.emergency_key]:
            raise MenuError(f"emergency key {self.emergency_key!r} must keep its category")
        languages = dict(self.languages)
        for code, changed in (prompts or {}).items():
            if code not in languages:
                raise MenuError(f"language {code!r} is not in the menu")
            unknown = sorted(set(changed) - set(PROMPT_NAMES))
            if unknown:
                raise MenuError(f"prompt {code}.{unknown[0]} is not one of the menu's prompts")
            for name, prompt in changed.items():
                if not isinstance(prompt, Prompt) or [prompt.say, prompt.play].count(None) != 1:
                    raise MenuError(f"prompt {code}.{name} must have exactly one of `say` or `play`")
            languages[code] = replace(languages[code], prompts={**languages[code].prompts, **changed})
        return replace(self, keys=new_keys, languages=languages)


def _prompt(code: str, name: str, raw) -> Prompt:
    if not isinstance(raw, dict) or len(raw) != 1 or not set(raw) <= {"say", "play"}:
        raise MenuError(f"prompt {code}.{name} must have exactly one of `say` or `play`")
    value = next(iter(raw.values()))
    if not isinstance(value, str) or not value.strip():
        raise MenuError(f"prompt {code}.{name} is empty")
    return Prompt(**raw)


def parse(raw: dict) -> Menu:
    try:
        keys = {str(key): str(category) for key, category in raw["keys"].items()}
        languages = {
            code: Language(
                code=code,
                voice_language=str(settings["voice_language"]),
                prompts={name: _prompt(code, name, settings[name]) for name in PROMPT_NAMES},
            )
            for code, settings in raw["languages"].items()
        }
        menu = Menu(
            keys=keys,
            emergency_key=str(raw["emergency_key"]),
            default_category=str(raw["default_category"]),
            default_language=str(raw["default_language"]),
            gather_timeout=int(raw["gather_timeout"]),
            hold_music=str(raw["hold_music"]),
            languages=languages,
        )
    except KeyError as missing:
        raise MenuError(f"menu setting {missing} is missing") from None
    for key in keys:
        if len(key) != 1 or key not in "0123456789*#":
            raise MenuError(f"menu key {key!r} is not a single phone key")
    if menu.emergency_key not in keys:
        raise MenuError(f"emergency key {menu.emergency_key!r} has no category")
    if menu.default_language not in languages:
        raise MenuError(f"default language {menu.default_language!r} has no prompts")
    return menu


def load(path: str | Path) -> Menu:
    with open(path, "rb") as menu_file:
        return parse(tomllib.load(menu_file))
