"""The app's background threads: started when needed, stopped with the app, never left behind."""

import threading

from helpline import background


def test_stopping_the_app_ends_and_joins_its_threads(app):
    work = background.of(app)
    woken = threading.Event()
    work.on_stop(woken.set)
    assert work.start("test-waiter", lambda: work.stopping.wait())
    assert work.start("test-waker", lambda: woken.wait())
    threads = [thread for thread in threading.enumerate() if thread.name in ("test-waiter", "test-waker")]
    assert len(threads) == 2
    assert background.stop(app)
    assert not any(thread.is_alive() for thread in threads)


def test_a_thread_of_one_name_runs_once_until_it_ends(app):
    work = background.of(app)
    release = threading.Event()
    started = []

    def loop():
        started.append(threading.current_thread())
        release.wait(5)

    assert work.start_once("test-loop", loop) and work.start_once("test-loop", loop)
    release.set()
    assert background.stop(app)
    assert len(started) == 1


def test_nothing_starts_while_the_app_is_stopping_and_all_may_start_again_after(app):
    work = background.of(app)
    while_stopping = []
    work.on_stop(lambda: while_stopping.append(work.start("test-late", lambda: None)))
    assert background.stop(app)
    assert while_stopping == [False]
    ran = threading.Event()
    assert work.start("test-after", ran.set) and ran.wait(5)


def test_serving_runs_what_waits_for_no_request(app):
    begun = []
    background.of(app).on_serve(lambda: begun.append(True))
    background.serve(app)
    assert begun == [True]


def test_a_failing_thread_is_logged_and_forgotten(app, caplog):
    work = background.of(app)

    def fail():
        raise RuntimeError("a bug")

    assert work.start("test-failing", fail)
    assert background.stop(app)
    assert "background thread test-failing failed" in caplog.text
