"""The phone menu's settings (`config/menu.toml`): keys, categories and prompts per language."""

import tomllib
from dataclasses import dataclass
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
