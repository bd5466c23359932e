"""What an administrator's texts may hold: labels, spoken prompts, recording URLs.

The checks raise ValueError with a translated reason that names no field, so pages put it under
the field and the JSON API prefixes the field's name.
"""

import unicodedata
from urllib.parse import urlsplit

from flask_babel import gettext as _

# Unicode categories that never belong in a label or a prompt: control characters (they break
# the provider's XML) and lone surrogates (they break the database's JSON). Format characters
# stay: Persian needs the zero-width non-joiner.
FORBIDDEN_CATEGORIES = {"Cc", "Cs"}
LINE_BREAKS = "\t\n\r"


def clean_text(value: object, *, limit: int) -> str:
    """The text as it will be stored: trimmed, its runs of spaces and line breaks made one space."""
    if not isinstance(value, str):
        raise ValueError(_("must be text"))  # noqa: TRY004 (callers catch ValueError for every bad value)
    if any(unicodedata.category(char) in FORBIDDEN_CATEGORIES and char not in LINE_BREAKS for char in value):
        raise ValueError(_("must not hold control characters"))
    text = " ".join(value.split())
    if not text:
        raise ValueError(_("must not be empty"))
    if len(text) > limit:
        raise ValueError(_("must have at most %(limit)d characters", limit=limit))
    return text


def clean_url(value: object, *, limit: int) -> str:
    """An absolute http:// or https:// URL, as the provider fetches recordings."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(_("give the URL of a recording"))
    url = value.strip()
    if len(url) > limit:
        raise ValueError(_("must have at most %(limit)d characters", limit=limit))
    if any(char.isspace() or unicodedata.category(char) in FORBIDDEN_CATEGORIES for char in url):
        raise ValueError(_("a URL has no spaces or control characters"))
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(_("must be an http:// or https:// URL"))
    return url
