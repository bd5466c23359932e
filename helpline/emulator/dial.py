"""`<Dial>` from the caller's side: the counselor's leg rings, answers or not, and the two talk.

Handles `<Number>`, `<Client>` (and a bare number as the verb's text) with the attributes
`action`, `method`, `timeout`, `timeLimit` and `callerId`. The outcome is the parameters the
provider sends to the `<Dial action>`: `DialCallStatus`, `DialCallSid` and, once the
counselor answered, `DialCallDuration`. Posting them is the walker's job.
"""

import re
import threading
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

# Twilio's defaults: ring for 30 s; a bridged call is cut after 4 hours.
DEFAULT_TIMEOUT = 30.0
DEFAULT_TIME_LIMIT = 14400.0
# Emulated seconds before a busy line says so.
BUSY_SIGNAL = 1.0
E164 = re.compile(r"\+?[1-9]\d{2,14}")
CLIENT_IDENTITY = re.compile(r"[\w.@:+-]{1,256}")
TARGETS = ("Number", "Client")


class Counselors:
    """Counselor legs talking right now, across the run: a second `<Dial>` to one gets busy,
    as a phone or a Voice SDK client without call waiting answers."""

    def __init__(self):
        self._lock = threading.Lock()
        self._talking: set[tuple[str, str]] = set()

    def claim(self, targets: list[tuple[str, str]]) -> tuple[str, str] | None:
        """The first target free to ring, now marked as talking; None when all are busy."""
        with self._lock:
            free = next((target for target in targets if target not in self._talking), None)
            if free is not None:
                self._talking.add(free)
            return free

    def release(self, target: tuple[str, str]) -> None:
        with self._lock:
            self._talking.discard(target)

    def talking(self) -> set[tuple[str, str]]:
        with self._lock:
            return set(self._talking)


def place(call, verb: Element, url: str) -> dict[str, str] | None:
    """Ring the counselor, let the two talk; the `<Dial action>` parameters, or None (and a
    problem) when the verb holds something not emulated."""
    options, clock, rng = call.options, call.clock, call.dial_rng
    targets = _targets(call, verb, url)
    if targets is None:
        return None
    timeout = _seconds(verb.get("timeout"), DEFAULT_TIMEOUT)
    time_limit = _seconds(verb.get("timeLimit"), DEFAULT_TIME_LIMIT)
    # Drawn up front, so how the dial goes does not depend on which branch is taken.
    ring = options.ring.draw(rng)
    no_answer = rng.random() < options.counselor_no_answer
    talk = options.talk.draw(rng)
    leg_sid = f"CA{rng.getrandbits(128):032x}"

    caller_id = verb.get("callerId")
    invalid = [value for kind, value in targets if not (E164 if kind == "number" else CLIENT_IDENTITY).fullmatch(value)]
    if caller_id is not None and not (E164.fullmatch(caller_id) or caller_id.startswith("client:")):
        invalid.append(f"callerId {caller_id}")
    if invalid:
        call.problem(f"<Dial> in {_path(url)} for {call.call_sid}: not dialable: {', '.join(invalid)}")
        return _done(call, {"DialCallStatus": "failed"})

    target = call.context.counselors.claim(targets)
    if target is None:
        clock.spend(BUSY_SIGNAL)
        return _done(call, {"DialCallStatus": "busy", "DialCallSid": leg_sid})
    try:
        if no_answer or ring >= timeout:
            clock.spend(timeout)
            return _done(call, {"DialCallStatus": "no-answer", "DialCallSid": leg_sid})
        clock.spend(ring)
        if clock.stopped:
            # The caller hung up while it rang: the counselor never answered.
            return _done(call, {"DialCallStatus": "no-answer", "DialCallSid": leg_sid})
        talked = clock.spend(min(talk, time_limit))
    finally:
        call.context.counselors.release(target)
    return _done(call, {"DialCallStatus": "completed", "DialCallSid": leg_sid, "DialCallDuration": str(int(talked))})


def _targets(call, verb: Element, url: str) -> list[tuple[str, str]] | None:
    targets = []
    if (verb.text or "").strip():
        targets.append(("number", _digits(verb.text)))
    for child in verb:
        if child.tag not in TARGETS:
            call.problem(f"<Dial><{child.tag}> in {_path(url)} is not emulated; the call ends there")
            return None
        if child.tag == "Number":
            targets.append(("number", _digits(child.text or "")))
        else:
            # `<Client>name</Client>` or `<Client><Identity>name</Identity>…</Client>`.
            identity = child.findtext("Identity") if child.find("Identity") is not None else child.text
            targets.append(("client", (identity or "").strip()))
    if not targets:
        call.problem(f"<Dial> in {_path(url)} dials nobody; the call ends there")
        return None
    return targets


def _done(call, params: dict[str, str]) -> dict[str, str]:
    call.outcome.dial_results.append(params["DialCallStatus"])
    return params


def _digits(text: str) -> str:
    return re.sub(r"[\s().-]", "", text)


def _seconds(text: str | None, default: float) -> float:
    try:
        return float(text) if text is not None else default
    except ValueError:
        return default


def _path(url: str) -> str:
    return urlsplit(url).path
