"""What a username may be: one script, each letter in its usual form, and not a look-alike of
another user's name.

Names appear in the audit log, on the wallboard and in reports, and a supervisor trusts them to
say who did what: `аdmin` with a Cyrillic а, `ａdmin` in full-width letters or `Admin` beside
`admin` would pass for someone else. So a name is refused when it mixes scripts (digits and
punctuation go with any), when it is not in NFKC form (full-width, styled or compatibility
characters), or when its skeleton, the name with each character replaced by one
representative of the characters that look like it (Unicode's confusables, through the
confusable_homoglyphs package, with case folded), is another user's (an exact repeat too). Persian (Arabic script),
Tajik (Cyrillic) and Latin names are each accepted in their own script. Pure: the caller reads
the other users' names.
"""

import functools
import json
import unicodedata
from collections.abc import Iterable
from enum import Enum
from pathlib import Path

import confusable_homoglyphs
from confusable_homoglyphs import confusables

MAX_LENGTH = 64
# Scripts that go with any other: digits, punctuation and spaces; combining marks (Persian
# vowel marks) take the script of their letter.
NEUTRAL_SCRIPTS = ["COMMON", "INHERITED"]
# Persian text is often typed on Arabic keyboards: Arabic yeh and kaf (and alef maksura) look
# like Persian yeh and keheh inside a word, where the confusables data does not pair them.
ARABIC_AS_PERSIAN = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"})


class Problem(Enum):
    SHAPE = "shape"  # empty, too long, unprintable, spaces around it
    FORM = "form"  # not in NFKC form
    MIXED_SCRIPTS = "mixed_scripts"
    LOOKS_LIKE = "looks_like"


REASONS = {
    Problem.SHAPE: f"username must be 1 to {MAX_LENGTH} printable characters without surrounding spaces",
    Problem.FORM: "username must write each letter in its usual form (no full-width, styled or compatibility characters)",
    Problem.MIXED_SCRIPTS: "username must be written in one script (Persian, Cyrillic or Latin letters, not a mix)",
    Problem.LOOKS_LIKE: "username looks like the existing user {other}",
}


class UsernameError(ValueError):
    """A refused name: `problem` says why, `other` names the look-alike user; `str()` in English
    (the command line's), the admin pages translate `problem`."""

    def __init__(self, problem: Problem, other: str | None = None):
        super().__init__(REASONS[problem].format(other=other))
        self.problem, self.other = problem, other


@functools.cache
def look_alike_representatives() -> dict[str, str]:
    """Each character that looks like others, mapped to one of them (the smallest code point),
    the same for all: the classes the confusables data links, closed over its links."""
    data_file = Path(confusable_homoglyphs.__file__).parent / "confusables.json"
    linked = json.loads(data_file.read_text(encoding="utf-8"))
    parent: dict[str, str] = {}

    def root(character: str) -> str:
        while parent.get(character, character) != character:
            character = parent[character]
        return character

    for character, homoglyphs in linked.items():
        for homoglyph in homoglyphs:
            # Single characters only: a sequence's look (`rn` for `m`) is not folded.
            if len(character) == 1 and len(homoglyph["c"]) == 1:
                first, second = root(character), root(homoglyph["c"])
                if first != second:
                    parent[max(first, second)] = min(first, second)
    return {character: root(character) for character in parent}


def skeletons(name: str) -> set[str]:
    """What the name looks like: each character its look-alikes' representative, with case
    folded before (`ADMIN` looks like `admin`) and after (`Ilia` like `llia`: capital I looks
    like l, folded first it would join i)."""
    representatives = look_alike_representatives()

    def represented(text: str) -> str:
        return "".join(representatives.get(character, character) for character in text)

    def folded(text: str) -> str:
        return unicodedata.normalize("NFKC", text.casefold())

    name = name.translate(ARABIC_AS_PERSIAN)
    return {represented(folded(name)), represented(folded(represented(name)))}


def check(name: str, others: Iterable[str] = ()) -> None:
    """Raise UsernameError unless `name` may be a new user's name beside the users `others`."""
    if not name or len(name) > MAX_LENGTH or not name.isprintable() or name.strip() != name:
        raise UsernameError(Problem.SHAPE)
    if unicodedata.normalize("NFKC", name) != name:
        raise UsernameError(Problem.FORM)
    if confusables.is_mixed_script(name, allowed_aliases=NEUTRAL_SCRIPTS):
        raise UsernameError(Problem.MIXED_SCRIPTS)
    looks = skeletons(name)
    for other in others:
        if skeletons(other) & looks:
            raise UsernameError(Problem.LOOKS_LIKE, other)
