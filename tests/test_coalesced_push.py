"""CoalescedPush: one push at a time in a process, changes meanwhile folded into one more."""

import threading
import time

from helpline import background
from helpline.coalesced_push import CoalescedPush


def test_changes_during_a_push_are_folded_into_one_more_push(app):
    sent, first_started, release = [], threading.Event(), threading.Event()

    def send():
        sent.append((threading.current_thread(), time.monotonic()))
        if len(sent) == 1:
            first_started.set()
            assert release.wait(5)

    pushes = CoalescedPush(send, 0.5, background.of(app), "test-push")
    with app.app_context():
        pushes.request()
        assert first_started.wait(5)
        # Three more changes while the first push is being built: none of them waits for it.
        for _ in range(3):
            pushes.request()
        assert len(sent) == 1
        release.set()
        assert pushes.settle()
        assert len(sent) == 2
        (first, first_at), (second, second_at) = sent
        assert first is second is not threading.current_thread()
        assert second_at - first_at >= 0.5
        # Quiet again: the next change is pushed without waiting out the spacing.
        time.sleep(0.5)
        asked_at = time.monotonic()
        pushes.request()
        assert pushes.settle()
    assert len(sent) == 3 and sent[2][1] - asked_at < 0.5


def test_a_failed_push_does_not_stop_the_next(app, caplog):
    sent = []

    def send():
        sent.append(1)
        if len(sent) == 1:
            raise RuntimeError("the database went away")

    pushes = CoalescedPush(send, 0.01, background.of(app), "test-push")
    with app.app_context():
        pushes.request()
        assert pushes.settle()
        pushes.request()
        assert pushes.settle()
    assert len(sent) == 2


def test_its_thread_is_the_apps_and_stops_with_it(app):
    sent = []
    pushes = CoalescedPush(lambda: sent.append(threading.current_thread()), 0.01, background.of(app), "test-push")
    with app.app_context():
        pushes.request()
        assert pushes.settle()
    (thread,) = sent
    assert thread.name == "test-push" and thread.is_alive()
    assert background.stop(app)
    assert not thread.is_alive()
    # Asked again after the app stopped and started again: a new thread makes the push.
    with app.app_context():
        pushes.request()
        assert pushes.settle()
    assert len(sent) == 2 and sent[1] is not thread
