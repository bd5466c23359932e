"""The telephony emulator: plays the provider (Twilio) against a running service.

Real HTTP, real signatures: each emulated call posts the webhooks the provider would, signs
them with the auth token, follows the TwiML it gets back, waits in a provider-side queue,
and ends with a status callback; faults (duplicates, out-of-order and malformed requests)
are injected on request. With a REST server running, the service takes callers out of the
queue itself through the provider's REST API (a member or call redirect), and the emulator
plays the `<Dial>` to the counselor that follows. `run()` is the core; `flask emulate` wraps it.

    options.py        the knobs (Options, Range, KeyMix)
    runner.py         run(): places calls at a rate, a thread per live call; the REST server
    call.py           one call's life and its status callbacks
    twiml_walker.py   follows a TwiML document verb by verb
    dial.py           <Dial>: the counselor's leg rings, answers or not, talks
    provider_queue.py the provider-side queue (join, bridge, redirect, hang up, leave)
    rest_server.py    the fake REST API: queue member and call redirects
    transport.py      signed form POSTs, duplicates
    faults.py         out-of-order and malformed requests
    emulated_time.py  a call's emulated clock
    report.py         the Summary and its text form
    command.py        the `emulate` click command
"""

from helpline.emulator.command import emulate_command
from helpline.emulator.options import KeyMix, Options, Range
from helpline.emulator.provider_queue import ProviderQueue, ProviderQueues
from helpline.emulator.report import CallOutcome, Summary
from helpline.emulator.rest_server import RestServer
from helpline.emulator.runner import run

__all__ = [
    "CallOutcome", "KeyMix", "Options", "ProviderQueue", "ProviderQueues", "Range", "RestServer", "Summary",
    "emulate_command", "run",
]
