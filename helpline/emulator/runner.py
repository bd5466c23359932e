"""Places the calls at the requested rate, a thread per live call, and collects the Summary."""

import secrets
import threading
import time
from collections.abc import Callable
from random import Random

from helpline.emulator.call import EmulatedCall, RunContext, caller_pool
from helpline.emulator.options import Options
from helpline.emulator.provider_queue import ProviderQueues
from helpline.emulator.report import Recorder, Summary
from helpline.emulator.transport import Signer


def run(
    base_url: str,
    auth_token: str,
    account_sid: str,
    options: Options | None = None,
    *,
    on_call_done: Callable[[], None] | None = None,
    stop: threading.Event | None = None,
) -> Summary:
    """Play the provider against the service at `base_url`; returns when every call has ended.

    `on_call_done` is called (from the call's thread) as each call ends; setting `stop`
    hangs up every live call and places no more. Interrupting (Ctrl-C) does the same.
    """
    options = options or Options()
    if not auth_token:
        raise ValueError("an auth token is needed to sign requests")
    seed = options.seed if options.seed is not None else secrets.randbits(32)
    stop = stop or threading.Event()
    recorder = Recorder(seed)
    queues = ProviderQueues(options.max_queue_size, salt=str(seed))
    context = RunContext(
        base_url=base_url,
        account_sid=account_sid,
        options=options,
        signer=Signer(auth_token),
        recorder=recorder,
        queues=queues,
        stop=stop,
        seed=seed,
        caller_pool=caller_pool(Random(f"{seed}:callers"), options.callers),
    )
    slots = threading.BoundedSemaphore(options.max_live)
    threads: list[threading.Thread] = []

    def live_call(index: int) -> None:
        try:
            EmulatedCall(context, index).run()
        finally:
            slots.release()
            if on_call_done is not None:
                on_call_done()

    started = time.monotonic()
    try:
        for index in range(options.calls):
            if stop.wait(max(0.0, started + index / options.rate - time.monotonic())):
                break
            while not slots.acquire(timeout=0.1):
                if stop.is_set():
                    break
            if stop.is_set():
                break
            thread = threading.Thread(target=live_call, args=(index,), name=f"emulated-call-{index}", daemon=True)
            thread.start()
            threads.append(thread)
        _join(threads, stop, queues)
    except BaseException:
        stop.set()
        queues.close()
        _join(threads, stop, queues)
        raise
    return recorder.summary(time.monotonic() - started)


def _join(threads: list[threading.Thread], stop: threading.Event, queues: ProviderQueues) -> None:
    for thread in threads:
        # Short joins keep the main thread responsive to Ctrl-C.
        while thread.is_alive():
            thread.join(0.2)
            if stop.is_set():
                queues.close()
