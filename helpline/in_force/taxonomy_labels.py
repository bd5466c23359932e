"""Labels of the taxonomy's keys, as an administrator changed them.

The keys are the file's and never change (calls store them); only the fa/en/tg labels do. The
changes are saved under one `settings` row, `{key: {language: label}}`, holding only the labels
that differ from the file's, so a label nobody changed follows the file.
"""

import logging
from collections.abc import Mapping

from flask import current_app
from flask_babel import gettext as _

from helpline.in_force.saved import forget, locked_value, per_request, snapshot, store
from helpline.in_force.text_checks import clean_text
from helpline.taxonomy import LANGUAGES, Taxonomy

log = logging.getLogger(__name__)

LABELS_KEY = "taxonomy_labels"
MAX_LABEL = 120

Overrides = dict[str, dict[str, str]]


class LabelError(ValueError):
    """A bad label; `field` is the language (or `key`), `reason` is translated."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


def file_taxonomy() -> Taxonomy:
    return current_app.extensions["helpline.taxonomy"]


def entry_keys(taxonomy: Taxonomy) -> frozenset[str]:
    return taxonomy.category_keys | taxonomy.call_type_keys | taxonomy.outcome_keys | frozenset(taxonomy.risk_levels)


def usable_overrides(raw: object, taxonomy: Taxonomy) -> Overrides:
    """The saved labels that still fit the file (known keys and languages, well-formed labels);
    anything else is left out with a warning, so a stale or broken row never breaks a page."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        log.warning("saved %s is not an object; using the file's labels", LABELS_KEY)
        return {}
    known, usable, dropped = entry_keys(taxonomy), {}, []
    for key, labels in raw.items():
        if key not in known or not isinstance(labels, dict):
            dropped.append(key)
            continue
        for language, text in labels.items():
            try:
                if language not in LANGUAGES or clean_text(text, limit=MAX_LABEL) != text:
                    raise ValueError(language)
            except ValueError:
                dropped.append(f"{key}.{language}")
                continue
            usable.setdefault(key, {})[language] = text
    if dropped:
        log.warning("saved %s: ignoring %s", LABELS_KEY, ", ".join(map(str, dropped)))
    return usable


def saved_overrides() -> Overrides:
    """The labels in force that differ from the file's ({} when the database does not answer)."""
    return usable_overrides(snapshot().get(LABELS_KEY), file_taxonomy())


def checked_labels(key: str, labels: Mapping[str, object]) -> dict[str, str | None]:
    """An entry's new labels by language, cleaned; None asks for the file's label back."""
    if key not in entry_keys(file_taxonomy()):
        raise LabelError("key", _("not a key of the taxonomy"))
    checked: dict[str, str | None] = {}
    for language, text in labels.items():
        if language not in LANGUAGES:
            raise LabelError(str(language), _("not one of %(languages)s", languages=", ".join(LANGUAGES)))
        try:
            checked[language] = None if text is None else clean_text(text, limit=MAX_LABEL)
        except ValueError as reason:
            raise LabelError(language, str(reason)) from None
    return checked


def put_labels(key: str, labels: Mapping[str, str | None], user_id: int) -> None:
    """Save an entry's labels (checked by `checked_labels`); the caller commits."""
    taxonomy = file_taxonomy()
    overrides = usable_overrides(locked_value(LABELS_KEY), taxonomy)
    entry = dict(overrides.get(key, {}))
    for language, text in labels.items():
        if text is None or text == taxonomy.label(key, language):
            entry.pop(language, None)
        else:
            entry[language] = text
    save_overrides({**overrides, key: entry}, user_id)


def reset_labels(key: str, user_id: int) -> None:
    """The file's labels again for one entry; the caller commits."""
    overrides = usable_overrides(locked_value(LABELS_KEY), file_taxonomy())
    overrides.pop(key, None)
    save_overrides(overrides, user_id)


def save_overrides(overrides: Overrides, user_id: int) -> None:
    kept = {key: labels for key, labels in overrides.items() if labels}
    if kept:
        store(LABELS_KEY, kept, user_id)
    else:
        forget(LABELS_KEY)


def current_taxonomy() -> Taxonomy:
    return per_request("taxonomy", labelled_taxonomy)


def labelled_taxonomy() -> Taxonomy:
    file_taxonomy = current_app.extensions["helpline.taxonomy"]
    overrides = saved_overrides()
    return file_taxonomy.with_labels(overrides) if overrides else file_taxonomy
