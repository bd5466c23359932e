"""The merge rules of the call record, on their own (the merges themselves, in every order and
under concurrency, are in tests/test_call_log.py)."""

import pytest
from sqlalchemy.dialects import postgresql

from helpline.call_log import NEW_CALL
from helpline.call_merge import is_abandoned, merge_rules
from helpline.models import Call

ENQUEUED = {"enqueued_at": "10:00", "ended_at": None, "queue_result": None, "queue_result_rank": 0}


@pytest.mark.parametrize(
    "change, abandoned",
    [
        ({}, False),
        ({"ended_at": "10:05"}, True),  # the line dropped before any queue result came
        ({"ended_at": "10:05", "queue_result": "queue-full", "queue_result_rank": 1}, True),
        ({"ended_at": "10:05", "queue_result": "bridged", "queue_result_rank": 5}, False),
        ({"ended_at": "10:05", "queue_result": "redirected", "queue_result_rank": 2}, False),
        ({"queue_result": "hangup", "queue_result_rank": 3}, True),
        ({"enqueued_at": None, "ended_at": "10:05"}, False),  # left in the menu: never queued
    ],
)
def test_abandoned_is_hanging_up_in_the_queue_or_ending_while_still_in_it(change, abandoned):
    assert is_abandoned({**ENQUEUED, **change}) is abandoned


def test_every_fact_a_webhook_tells_has_a_rule_and_the_counselors_categories_none():
    statement = postgresql.insert(Call.__table__)
    rules = merge_rules(Call.__table__, statement.excluded)
    # A column without a rule would keep its first value whatever came later; the categories
    # are the counselor's (their log), which no webhook may overwrite.
    assert set(NEW_CALL) - set(rules) == {"categories"}
    assert set(rules) - set(NEW_CALL) == {"abandoned", "updated_at"}
