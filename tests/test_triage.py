from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpline.triage import CallerHistory, MenuOutcome, Waiting, aged_rank, current_priority, menu_outcome, queue_order, triage

KEYS = {"1": "counselling", "2": "children_family", "9": "suicide_self_harm"}
T0 = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
STEP = 120


def test_known_key_picks_its_category():
    assert menu_outcome("2", 1, KEYS, "counselling") == MenuOutcome("children_family", "2")


def test_wrong_key_asks_once_more_then_goes_to_default():
    assert menu_outcome("7", 1, KEYS, "counselling").ask_again
    assert menu_outcome("7", 2, KEYS, "counselling") == MenuOutcome("counselling", None)


def test_silence_goes_to_default_without_asking_again():
    assert menu_outcome(None, 1, KEYS, "counselling") == MenuOutcome("counselling", None)
    assert menu_outcome("", 1, KEYS, "counselling") == MenuOutcome("counselling", None)


def test_danger_now_is_emergency():
    result = triage(MenuOutcome("suicide_self_harm", "9"), CallerHistory(), "9")
    assert (result.priority, result.emergency, result.reasons) == ("emergency", True, ("danger_now",))


@pytest.mark.parametrize(
    "history, priority, reasons",
    [
        (CallerHistory(), "normal", ()),
        (CallerHistory(calls_in_window=2), "elevated", ("repeat_caller",)),
        (CallerHistory(previous_high_risk=True), "high", ("previous_high_risk",)),
        (CallerHistory(calls_in_window=1, previous_high_risk=True), "high", ("previous_high_risk", "repeat_caller")),
    ],
)
def test_history_raises_priority(history, priority, reasons):
    result = triage(MenuOutcome("counselling", "1"), history, "9")
    assert (result.priority, result.reasons) == (priority, reasons)
    assert result.repeat_caller == (history.calls_in_window > 0)


def test_history_never_lowers_an_emergency():
    result = triage(MenuOutcome("suicide_self_harm", "9"), CallerHistory(calls_in_window=3), "9")
    assert result.priority == "emergency"
    assert result.reasons == ("danger_now", "repeat_caller")


def test_no_choice_is_a_reason():
    assert triage(MenuOutcome("counselling", None), CallerHistory(), "9").reasons == ("no_choice",)


def waiting(sid, priority, seconds_after_t0):
    return Waiting(sid, priority, T0 + timedelta(seconds=seconds_after_t0))


def test_emergency_first_then_priority_then_arrival():
    callers = [
        waiting("normal-early", "normal", 0),
        waiting("high-late", "high", 30),
        waiting("emergency-latest", "emergency", 50),
        waiting("elevated", "elevated", 10),
        waiting("normal-late", "normal", 20),
    ]
    order = [c.call_sid for c in queue_order(callers, T0 + timedelta(seconds=60), STEP)]
    assert order == ["emergency-latest", "high-late", "elevated", "normal-early", "normal-late"]


def test_aging_lifts_a_long_waiting_caller_above_later_arrivals():
    old = waiting("routine-old", "normal", 0)
    newer = waiting("repeat-new", "elevated", 200)
    # After one aging step the old routine caller is level with the repeat caller, and earlier.
    now = T0 + timedelta(seconds=STEP + 210)
    assert [c.call_sid for c in queue_order([newer, old], now, STEP)] == ["routine-old", "repeat-new"]
    # Before it, the repeat caller goes first.
    now = T0 + timedelta(seconds=STEP - 1)
    assert [c.call_sid for c in queue_order([newer, old], now, STEP)] == ["repeat-new", "routine-old"]


def test_aging_never_passes_danger_now():
    old = waiting("routine-old", "normal", -10_000)
    emergency = waiting("danger", "emergency", 0)
    assert queue_order([old, emergency], T0, STEP)[0].call_sid == "danger"


def test_aged_rank_is_capped_at_high():
    assert aged_rank("normal", 10 * STEP, STEP) == 3
    assert aged_rank("normal", STEP - 1, STEP) == 1
    assert current_priority("normal", T0, T0 + timedelta(seconds=STEP), STEP) == ("elevated", True)
    assert current_priority("high", T0, T0 + timedelta(seconds=10 * STEP), STEP) == ("high", False)


@given(
    st.lists(
        st.tuples(st.sampled_from(["normal", "elevated", "high"]), st.integers(min_value=0, max_value=3600)),
        min_size=1,
        max_size=30,
    ),
    st.integers(min_value=0, max_value=7200),
)
def test_no_routine_caller_waits_behind_later_arrivals_forever(entries, extra_wait):
    """Once a caller has waited two steps, nobody who arrived later is ahead of them."""
    callers = [waiting(f"c{i}", priority, offset) for i, (priority, offset) in enumerate(entries)]
    now = T0 + timedelta(seconds=3600 + extra_wait)
    order = queue_order(callers, now, STEP)
    for place, caller in enumerate(order):
        if (now - caller.enqueued_at).total_seconds() >= 2 * STEP:
            ahead = order[:place]
            assert all(other.enqueued_at <= caller.enqueued_at for other in ahead)
