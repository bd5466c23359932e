"""The telephony emulator: plays the provider (Twilio) against a running service.

Real HTTP, real signatures: each emulated call posts the webhooks the provider would, signs
them with the auth token, follows the TwiML it gets back, waits in a provider-side queue,
and ends with a status callback; faults (duplicates, out-of-order and malformed requests)
are injected on request. `run()` is the core; `flask emulate` wraps it.

    options.py        the knobs (Options, Range, KeyMix)
    runner.py         run(): places calls at a rate, a thread per live call
    call.py           one call's life and its status callbacks
    twiml_walker.py   follows a TwiML document verb by verb
    provider_queue.py the provider-side queue (join, bridge, hang up, leave)
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
from helpline.emulator.runner import run

__all__ = ["CallOutcome", "KeyMix", "Options", "ProviderQueue", "ProviderQueues", "Range", "Summary", "emulate_command", "run"]
