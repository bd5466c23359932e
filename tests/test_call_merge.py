"""The merge rules of the call record, on their own (the merges themselves, in every order and
under concurrency, are in tests/test_call_log.py)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.dialects import postgresql

from helpline.call_log import NEW_CALL
from helpline.call_merge import answer_time, is_abandoned, merge_rules
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


ENTERED = datetime(2026, 11, 28, 10, 0, 0, 250000, tzinfo=UTC)
DIALED_ANSWER = ENTERED + timedelta(seconds=70)
QUEUED = {"enqueued_at": ENTERED, "wait_seconds": 45, "queue_result": None, "answered_at": None}


@pytest.mark.parametrize(
    "change, answered_at",
    [
        ({}, None),
        # Bridged straight from the queue: QueueTime after entering it, to the microsecond.
        ({"queue_result": "bridged"}, ENTERED + timedelta(seconds=45)),
        ({"queue_result": "bridged", "wait_seconds": 0}, ENTERED),
        ({"queue_result": "bridged", "answered_at": DIALED_ANSWER}, ENTERED + timedelta(seconds=45)),
        # Without the wait, the answer cannot be placed.
        ({"queue_result": "bridged", "wait_seconds": None}, None),
        # Taken out of the queue and answered by the counselor we dialed: their answer.
        ({"queue_result": "redirected", "answered_at": DIALED_ANSWER}, DIALED_ANSWER),
        ({"queue_result": "hangup"}, None),
    ],
)
def test_a_caller_bridged_from_the_queue_is_answered_on_leaving_it(change, answered_at):
    assert answer_time({**QUEUED, **change}) == answered_at


def test_every_fact_a_webhook_tells_has_a_rule_and_the_counselors_categories_none():
    statement = postgresql.insert(Call.__table__)
    rules = merge_rules(Call.__table__, statement.excluded)
    # A column without a rule would keep its first value whatever came later; the categories
    # are the counselor's (their log), which no webhook may overwrite.
    assert set(NEW_CALL) - set(rules) == {"categories"}
    assert set(rules) - set(NEW_CALL) == {"abandoned", "updated_at"}
