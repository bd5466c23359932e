"""The taxonomy a counselor logs a call with: categories, call types, outcomes and risk levels.

It is read from a TOML file (`config/taxonomy.toml` by default) and checked when loaded, so a
broken file stops the service at start-up rather than at the first logged call. Categories
have two levels: top-level groups and their children. Every entry has a stable snake_case key,
unique across the whole file, and a label in each of `LANGUAGES`. The keys validate a call
log; `Taxonomy.as_api` gives the labelled lists the counselor's form is built from.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

LANGUAGES = ("fa", "en", "tg")
FALLBACK_LANGUAGE = "en"
RISK_LEVELS = ("none", "low", "medium", "high", "imminent")
# Risks that alert supervisors when logged, put the call on the review page and raise the
# caller's next call in the queue.
HIGH_RISK_LEVELS = ("high", "imminent")
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "config" / "taxonomy.toml"

SECTIONS = ("categories", "call_types", "outcomes", "risk_levels")
_KEY = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*\Z")


class TaxonomyError(ValueError):
    """The taxonomy file cannot be read or breaks a rule; the message names what is wrong."""


@dataclass(frozen=True)
class Entry:
    key: str
    labels: Mapping[str, str]
    children: tuple[Entry, ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    categories: tuple[Entry, ...]
    call_types: tuple[Entry, ...]
    outcomes: tuple[Entry, ...]
    risk_level_entries: tuple[Entry, ...]

    category_keys: frozenset[str] = field(init=False)
    top_level_keys: frozenset[str] = field(init=False)
    call_type_keys: frozenset[str] = field(init=False)
    outcome_keys: frozenset[str] = field(init=False)
    risk_levels: tuple[str, ...] = field(init=False)
    _parents: Mapping[str, str | None] = field(init=False, repr=False, compare=False)
    _labels: Mapping[str, Mapping[str, str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parents: dict[str, str | None] = {}
        for top in self.categories:
            parents[top.key] = None
            parents.update((child.key, top.key) for child in top.children)
        entries = [
            *self.categories,
            *(child for top in self.categories for child in top.children),
            *self.call_types,
            *self.outcomes,
            *self.risk_level_entries,
        ]
        derived: dict[str, Any] = {
            "category_keys": frozenset(parents),
            "top_level_keys": frozenset(top.key for top in self.categories),
            "call_type_keys": frozenset(entry.key for entry in self.call_types),
            "outcome_keys": frozenset(entry.key for entry in self.outcomes),
            "risk_levels": tuple(entry.key for entry in self.risk_level_entries),
            "_parents": MappingProxyType(parents),
            "_labels": MappingProxyType({entry.key: entry.labels for entry in entries}),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    def parent_of(self, key: str) -> str | None:
        """The top-level group of a child category; None for a top-level one."""
        try:
            return self._parents[key]
        except KeyError:
            raise KeyError(f"unknown category {key!r}") from None

    def label(self, key: str, language: str) -> str:
        """The label of any key in the file, in `language`, or in English for another language."""
        try:
            labels = self._labels[key]
        except KeyError:
            raise KeyError(f"unknown taxonomy key {key!r}") from None
        return labels[_language(language)]

    def as_api(self, language: str) -> dict[str, list[dict[str, Any]]]:
        """The body of `GET /api/taxonomy`, labelled in `language`."""
        lang = _language(language)

        def item(entry: Entry) -> dict[str, Any]:
            return {"key": entry.key, "label": entry.labels[lang]}

        return {
            "categories": [
                {**item(top), "children": [{**item(child), "children": []} for child in top.children]}
                for top in self.categories
            ],
            "call_types": [item(entry) for entry in self.call_types],
            "outcomes": [item(entry) for entry in self.outcomes],
            "risk_levels": [item(entry) for entry in self.risk_level_entries],
        }

    def with_labels(self, overrides: Mapping[str, Mapping[str, str]]) -> Taxonomy:
        """The same keys with some labels replaced (`{key: {language: label}}`); TaxonomyError
        for an unknown key or language or an empty label."""
        for key, labels in overrides.items():
            if key not in self._labels:
                raise TaxonomyError(f"unknown taxonomy key {key!r}")
            for language, text in labels.items():
                if language not in LANGUAGES:
                    raise TaxonomyError(f"key {key!r} has a label in unknown language {language!r}")
                if not isinstance(text, str) or not text.strip():
                    raise TaxonomyError(f"key {key!r} has an empty {language!r} label")

        def relabel(entry: Entry) -> Entry:
            changed = overrides.get(entry.key, {})
            labels = MappingProxyType({lang: (changed.get(lang) or entry.labels[lang]).strip() for lang in LANGUAGES})
            return Entry(entry.key, labels, tuple(relabel(child) for child in entry.children))

        return Taxonomy(
            tuple(map(relabel, self.categories)),
            tuple(map(relabel, self.call_types)),
            tuple(map(relabel, self.outcomes)),
            tuple(map(relabel, self.risk_level_entries)),
        )


def _language(language: str) -> str:
    # Accept browser-style tags such as "fa-IR" as well as bare codes.
    primary = (language or "").split("-")[0].split("_")[0].lower()
    return primary if primary in LANGUAGES else FALLBACK_LANGUAGE


def load(path: str | Path = DEFAULT_PATH) -> Taxonomy:
    """Read and check a taxonomy file; raise TaxonomyError on the first problem found."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except OSError as error:
        raise TaxonomyError(f"{path}: cannot read: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise TaxonomyError(f"{path}: not valid TOML: {error}") from error
    try:
        return _build(data)
    except TaxonomyError as error:
        raise TaxonomyError(f"{path}: {error}") from None


def _build(data: dict[str, Any]) -> Taxonomy:
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise TaxonomyError(f"unknown section {unknown[0]!r}")
    # One set for the whole file: a key must name one thing wherever it is stored.
    seen: set[str] = set()

    def entries(name: str) -> tuple[Entry, ...]:
        return tuple(_entry(raw, name, seen, nested=name == "categories") for raw in _section(data, name))

    categories, call_types, outcomes, risk_levels = (entries(name) for name in SECTIONS)
    found = tuple(entry.key for entry in risk_levels)
    if found != RISK_LEVELS:
        raise TaxonomyError(
            f"risk_levels must be exactly {', '.join(RISK_LEVELS)} in that order, not {', '.join(found)}"
        )
    return Taxonomy(categories, call_types, outcomes, risk_levels)


def _section(data: Mapping[str, Any], name: str) -> list[Any]:
    raw = data.get(name)
    if not isinstance(raw, list) or not raw:
        raise TaxonomyError(f"section {name!r} is missing or empty")
    return raw


def _entry(raw: Any, where: str, seen: set[str], nested: bool) -> Entry:
    if not isinstance(raw, dict):
        raise TaxonomyError(f"{where}: every entry must be a table")
    key = raw.get("key")
    if not isinstance(key, str) or not key:
        raise TaxonomyError(f"{where}: an entry has no key")
    if not _KEY.match(key):
        raise TaxonomyError(f"key {key!r} in {where} is not lowercase snake_case ASCII")
    if key in seen:
        raise TaxonomyError(f"duplicate key {key!r} in {where}")
    seen.add(key)
    allowed = {"key", "label", "children"} if nested else {"key", "label"}
    extra = sorted(set(raw) - allowed)
    if extra:
        raise TaxonomyError(f"key {key!r} in {where} has an unexpected field {extra[0]!r}")
    labels = _labels(key, raw.get("label"))
    if not nested:
        return Entry(key, labels)
    children = raw.get("children")
    if not isinstance(children, list) or not children:
        raise TaxonomyError(f"category {key!r} has no children")
    where = f"children of {key!r}"
    return Entry(key, labels, tuple(_entry(child, where, seen, nested=False) for child in children))


def _labels(key: str, raw: Any) -> Mapping[str, str]:
    if not isinstance(raw, dict):
        raise TaxonomyError(f"key {key!r} has no label table")
    for language in LANGUAGES:
        text = raw.get(language)
        if not isinstance(text, str) or not text.strip():
            raise TaxonomyError(f"key {key!r} has no {language!r} label")
    extra = sorted(set(raw) - set(LANGUAGES))
    if extra:
        raise TaxonomyError(f"key {key!r} has a label in unknown language {extra[0]!r}")
    return MappingProxyType({language: raw[language].strip() for language in LANGUAGES})
