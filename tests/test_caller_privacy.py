import pytest
from cryptography.fernet import InvalidToken

from helpline.caller_privacy import mask, number_hash, protect, reveal

HASH_KEY = "k1"
FERNET_KEY = "dGVzdGluZy1rZXktMzItYnl0ZXMtbG9uZy0xMjM0NTY="


def test_same_number_same_hash_whatever_the_formatting():
    assert number_hash("+98 912 123-4567", HASH_KEY) == number_hash("+989121234567", HASH_KEY)
    assert number_hash("+989121234567", HASH_KEY) != number_hash("+989121234568", HASH_KEY)
    assert number_hash("+989121234567", HASH_KEY) != number_hash("+989121234567", "another key")


def test_protected_number_holds_no_plain_digits():
    protected = protect("+989121234567", HASH_KEY, FERNET_KEY)
    for form in (protected.hash, protected.encrypted, protected.masked):
        assert "9121234567" not in form
    assert protected.masked == "+98********67"
    assert reveal(protected.encrypted, FERNET_KEY) == "+989121234567"


def test_reveal_needs_the_key():
    protected = protect("+989121234567", HASH_KEY, FERNET_KEY)
    with pytest.raises(InvalidToken):
        reveal(protected.encrypted, "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMTI=")


@pytest.mark.parametrize("withheld", ["anonymous", "", None, "+266696687", "Restricted"])
def test_withheld_numbers_are_not_recognised(withheld):
    protected = protect(withheld, HASH_KEY, FERNET_KEY)
    assert (protected.hash, protected.encrypted, protected.masked) == (None, None, "withheld")


@pytest.mark.parametrize(
    "number, masked",
    [("+12025550123", "+12*******23"), ("client:alice", "client:***"), ("1234", "***"), ("+992901234567", "+99********67")],
)
def test_masking(number, masked):
    assert mask(number) == masked
