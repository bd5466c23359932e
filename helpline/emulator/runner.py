"""Places the calls at the requested rate, a thread per live call, and collects the Summary.

Also starts (or attaches to) the fake REST API that lets the service take callers out of
the queue, and settles who takes them: the emulator itself, or only REST redirects.
"""

import dataclasses
import secrets
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from random import Random

from helpline.emulator.call import EmulatedCall, RunContext, caller_pool
from helpline.emulator.options import Options
from helpline.emulator.provider_queue import ProviderQueues
from helpline.emulator.report import Recorder, Summary
from helpline.emulator.rest_server import RestServer
from helpline.emulator.transport import Signer


def run(
    base_url: str,
    auth_token: str,
    account_sid: str,
    options: Options | None = None,
    *,
    on_call_done: Callable[[], None] | None = None,
    stop: threading.Event | None = None,
    rest_server: RestServer | None = None,
    on_rest_started: Callable[[str], None] | None = None,
) -> Summary:
    """Play the provider against the service at `base_url`; returns when every call has ended.

    `on_call_done` is called (from the call's thread) as each call ends; setting `stop`
    hangs up every live call and places no more. Interrupting (Ctrl-C) does the same.

    The fake REST API is either `rest_server` (started by the caller, who keeps it across
    runs) or one started for this run at `options.rest_listen` and closed at its end.
    Either way `on_rest_started` gets its base URL before the first call is placed.
    """
    options = options or Options()
    if not auth_token:
        raise ValueError("an auth token is needed to sign requests")
    if rest_server is not None and options.rest_listen is not None:
        raise ValueError("pass either a REST server or rest_listen, not both")
    if rest_server is not None and (rest_server.account_sid, rest_server.auth_token) != (account_sid, auth_token):
        raise ValueError("the REST server checks another account's credentials")
    rest = rest_server is not None or options.rest_listen is not None
    if options.bridge == "rest" and not rest:
        raise ValueError('bridge="rest" needs a REST server: nobody else can take callers out of the queue')
    options = dataclasses.replace(options, bridge=options.bridge or ("rest" if rest else "self"))
    seed = options.seed if options.seed is not None else secrets.randbits(32)
    context = RunContext(
        base_url=base_url,
        account_sid=account_sid,
        options=options,
        signer=Signer(auth_token),
        recorder=Recorder(seed),
        # The account's queue of a name keeps its QueueSid from run to run, as the provider's does.
        queues=ProviderQueues(options.max_queue_size, salt=account_sid),
        stop=stop or threading.Event(),
        seed=seed,
        caller_pool=caller_pool(Random(f"{seed}:callers"), options.callers),
    )
    with ExitStack() as stack:
        if options.rest_listen is not None:
            rest_server = stack.enter_context(RestServer.listen(options.rest_listen, account_sid, auth_token))
        if rest_server is not None:
            rest_server.attach(context)
            stack.callback(rest_server.detach)
            if on_rest_started is not None:
                on_rest_started(rest_server.base_url)
        return _place_calls(context, on_call_done)


def _place_calls(context: RunContext, on_call_done: Callable[[], None] | None) -> Summary:
    options, stop, queues = context.options, context.stop, context.queues
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
    return context.recorder.summary(time.monotonic() - started)


def _join(threads: list[threading.Thread], stop: threading.Event, queues: ProviderQueues) -> None:
    for thread in threads:
        # Short joins keep the main thread responsive to Ctrl-C.
        while thread.is_alive():
            thread.join(0.2)
            if stop.is_set():
                queues.close()
