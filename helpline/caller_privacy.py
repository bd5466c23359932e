"""The three forms a caller's number is kept in; the plain number is never stored.

- a keyed hash, to recognise a repeat caller without knowing the number;
- a Fernet token, decrypted only by the audited reveal;
- a masked form (country code and last two digits), for display.
"""

import functools
import hashlib
import hmac
import re
from dataclasses import dataclass

from cryptography.fernet import Fernet

# What the provider sends when the caller withheld their number.
WITHHELD = {"", "anonymous", "restricted", "unknown", "private", "+266696687", "+7378742833", "+2562533"}


@dataclass(frozen=True)
class ProtectedNumber:
    hash: str | None
    encrypted: str | None
    masked: str


def normalize(number: str | None) -> str:
    return re.sub(r"[\s\-().]", "", number or "").lower()


def is_withheld(number: str | None) -> bool:
    return normalize(number) in WITHHELD


def number_hash(number: str, key: str) -> str:
    return hmac.new(key.encode(), normalize(number).encode(), hashlib.sha256).hexdigest()


def mask(number: str | None) -> str:
    number = normalize(number)
    if is_withheld(number):
        return "withheld"
    if number.startswith("client:"):
        return "client:***"
    digits = number.lstrip("+")
    if len(digits) <= 4:
        return "***"
    head = number[: len(number) - len(digits) + 2]
    return head + "*" * (len(digits) - 4) + digits[-2:]


# Every webhook of a call carries the caller's number, and any of them may be the first to
# arrive, so each is protected; the token made for a number's first webhook serves the rest.
# Remembered by the number's keyed hash (never the number), in a dict emptied when full.
_tokens: dict[tuple[str, str], str] = {}
MAX_REMEMBERED_TOKENS = 10_000


@functools.lru_cache(maxsize=4)
def _fernet(encryption_key: str) -> Fernet:
    return Fernet(encryption_key.encode())


def protect(number: str | None, hash_key: str, encryption_key: str) -> ProtectedNumber:
    if is_withheld(number):
        return ProtectedNumber(hash=None, encrypted=None, masked="withheld")
    hashed = number_hash(number, hash_key)
    encrypted = _tokens.get((hashed, encryption_key))
    if encrypted is None:
        encrypted = _fernet(encryption_key).encrypt(normalize(number).encode()).decode()
        if len(_tokens) >= MAX_REMEMBERED_TOKENS:
            _tokens.clear()
        _tokens[hashed, encryption_key] = encrypted
    return ProtectedNumber(hash=hashed, encrypted=encrypted, masked=mask(number))


def reveal(encrypted: str, encryption_key: str) -> str:
    return _fernet(encryption_key).decrypt(encrypted.encode()).decode()
