"""One emulated call, from the first webhook to the last status callback, in its own thread."""

import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from random import Random
from urllib.parse import urljoin
from xml.etree import ElementTree

from helpline.emulator import faults
from helpline.emulator.dial import Counselors
from helpline.emulator.emulated_time import CallClock
from helpline.emulator.options import Options
from helpline.emulator.provider_queue import ProviderQueues
from helpline.emulator.report import CallOutcome, Recorder
from helpline.emulator.transport import Line, Signer
from helpline.emulator.twiml_walker import TwimlWalker

# Status callbacks' SequenceNumber: the number's callback fires for these events in this order.
SEQUENCE = {"ringing": 0, "in-progress": 1, "completed": 2}


@dataclass(frozen=True)
class RunContext:
    """What every call of one run shares."""

    base_url: str
    account_sid: str
    options: Options
    signer: Signer
    recorder: Recorder
    queues: ProviderQueues
    stop: threading.Event
    seed: int
    caller_pool: tuple[str, ...]
    # Live calls by CallSid, for the REST server's answers.
    live: dict[str, "EmulatedCall"] = field(default_factory=dict)
    counselors: Counselors = field(default_factory=Counselors)

    def url(self, path: str) -> str:
        return urljoin(self.base_url.rstrip("/") + "/", path.lstrip("/"))


def caller_pool(rng: Random, size: int) -> tuple[str, ...]:
    """Plausible Iranian mobile numbers; a small pool makes repeat callers."""
    return tuple(f"+98912{rng.randrange(10**7):07d}" for _ in range(size))


def now() -> datetime:
    return datetime.now(timezone.utc)


class EmulatedCall:
    def __init__(self, context: RunContext, index: int):
        self.context = context
        self.options = context.options
        self.queues = context.queues
        self.recorder = context.recorder
        # Separate generators: the caller's choices, hold-music lengths (how many play
        # depends on timing) and faults, so neither of the last two shifts the first.
        self.rng = Random(f"{context.seed}:call:{index}")
        self.media_rng = Random(f"{context.seed}:media:{index}")
        self.fault_rng = Random(f"{context.seed}:faults:{index}")
        self.dial_rng = Random(f"{context.seed}:dial:{index}")
        self.call_sid = f"CA{self.rng.getrandbits(128):032x}"
        caller = "anonymous" if self.rng.random() < self.options.anonymous else self.rng.choice(context.caller_pool)
        self.outcome = CallOutcome(index=index, call_sid=self.call_sid, caller=caller)
        self.faults = faults.plan(self.fault_rng, out_of_order=self.options.out_of_order, malformed=self.options.malformed)
        self.clock = CallClock(self.options.time_scale, context.stop)
        self.status = "ringing"
        self.started_at = self.answered_at = None
        self.gather_url = self.queue_action_url = None
        self.late_results = []
        self.twiml_requests = 0
        self.malformed_sent = False
        self.line: Line | None = None

    def run(self) -> None:
        self.line = Line(
            call_sid=self.call_sid,
            signer=self.context.signer,
            recorder=self.recorder,
            clock=self.clock,
            timeout=self.options.timeout,
            duplicates=self.options.duplicates,
            fault_rng=self.fault_rng,
        )
        self.context.live[self.call_sid] = self
        try:
            self.started_at = now()
            TwimlWalker(self).follow(self.context.url(self.options.voice_path))
            self.finish()
        except Exception as error:  # noqa: BLE001 - one broken call must not take the run down
            self.problem(f"emulator error: {type(error).__name__}: {error}")
        finally:
            self.context.live.pop(self.call_sid, None)
            self.line.close()
            self.recorder.call_done(self.outcome)

    def params(self, **extra: str) -> dict[str, str]:
        return {
            "CallSid": self.call_sid,
            "AccountSid": self.context.account_sid,
            "From": self.outcome.caller,
            "To": self.options.to,
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            "CallStatus": self.status,
            **extra,
        }

    def fetch(self, url: str, extra: dict[str, str]) -> ElementTree.Element | None:
        """POST a TwiML request; the parsed document, or None (and a problem) when there is none."""
        self.twiml_requests += 1
        if self.faults.malformed and self.twiml_requests > self.faults.malformed_before:
            self.send_malformed()
        response = self.line.deliver(self.line.prepare(url, self.params(**extra)))
        if self.status == "ringing":
            self.status, self.answered_at = "in-progress", now()
        if response is None or not 200 <= response.status_code < 300:
            return None
        try:
            document = ElementTree.fromstring(response.content)
        except ElementTree.ParseError as error:
            self.problem(f"TwiML from {response.request.path_url} did not parse: {error}")
            return None
        if document.tag != "Response":
            self.problem(f"TwiML from {response.request.path_url} has root <{document.tag}>, not <Response>")
            return None
        return document

    def finish(self) -> None:
        """Status callbacks, late deliveries, and anything injected but not yet sent."""
        self.outcome.duration = int(self.clock.elapsed)
        out_of_order = self.faults.out_of_order and not self.clock.stopped
        late_progress = self.faults.late_progress or (self.faults.late_result and not self.late_results)
        completed = self.status_callback("completed", now(), CallDuration=str(self.outcome.duration))
        self.outcome.completed = completed is not None and 200 <= completed.status_code < 300
        for late in self.late_results:
            self.recorder.injected("late_deliveries")
            self.fetch(late.url, late.params)
        if out_of_order and late_progress:
            for status, when in (("ringing", self.started_at), ("in-progress", self.answered_at or self.started_at)):
                self.recorder.injected("late_deliveries")
                self.status_callback(status, when)
        if out_of_order:
            self.recorder.injected("out_of_order")
        if self.faults.malformed and not self.malformed_sent:
            self.send_malformed()
        self.line.flush(final=True)

    def status_callback(self, status: str, when: datetime, **extra: str):
        params = self.params(
            CallStatus=status,
            SequenceNumber=str(SEQUENCE[status]),
            Timestamp=format_datetime(when, usegmt=True),
            CallbackSource="call-progress-events",
            **extra,
        )
        return self.line.deliver(self.line.prepare(self.context.url(self.options.status_path), params))

    def send_malformed(self) -> None:
        if self.malformed_sent:
            return
        self.malformed_sent = True
        variant = self.faults.malformed
        delivery = faults.malformed_delivery(
            variant,
            self.line,
            self.fault_rng,
            params=self.params(),
            voice_url=self.context.url(self.options.voice_path),
            status_url=self.context.url(self.options.status_path),
            gather_url=self.gather_url,
            queue_action_url=self.queue_action_url,
        )
        self.recorder.injected("malformed")
        response = self.line.send(delivery)
        status = response.status_code if response is not None else None
        self.recorder.malformed_answered(variant, status)
        if response is not None and not faults.refused_as_expected(variant, status):
            self.problem(
                f"malformed request ({variant}) to {delivery.path} for {self.call_sid} answered {status},"
                f" expected {faults.expected(variant)}"
            )

    def menu_choice(self, choice: str) -> None:
        self.outcome.menu_choices.append(choice)
        self.recorder.menu_choice(choice)

    def problem(self, text: str) -> None:
        self.recorder.problem(text)
