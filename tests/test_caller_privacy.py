import pytest
from cryptography.fernet import Fernet, InvalidToken

from helpline import caller_privacy
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


def test_a_number_protected_again_reuses_its_token_and_remembers_no_number():
    first = protect("+98 912 123 4567", HASH_KEY, FERNET_KEY)
    again = protect("+989121234567", HASH_KEY, FERNET_KEY)
    assert again == first
    assert reveal(again.encrypted, FERNET_KEY) == "+989121234567"
    other_key = Fernet.generate_key().decode()
    rekeyed = protect("+989121234567", HASH_KEY, other_key)
    assert rekeyed.encrypted != first.encrypted
    assert reveal(rekeyed.encrypted, other_key) == "+989121234567"
    assert not any("9121234567" in part for key in caller_privacy._tokens for part in key)


def test_the_remembered_tokens_are_bounded(monkeypatch):
    monkeypatch.setattr(caller_privacy, "MAX_REMEMBERED_TOKENS", 3)
    for last in range(10):
        protect(f"+98912123456{last}", HASH_KEY, FERNET_KEY)
        assert len(caller_privacy._tokens) <= 3
    assert reveal(protect("+989121234569", HASH_KEY, FERNET_KEY).encrypted, FERNET_KEY) == "+989121234569"
