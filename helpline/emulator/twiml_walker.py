"""Follows the TwiML the service answers, verb by verb, as the provider would.

`<Say>`, `<Play>` and `<Pause>` take emulated time; `<Gather>` presses a key from the key
mix (silence falls through to the next verb); `<Redirect>` fetches its URL; `<Enqueue>`
puts the caller into the provider-side queue, plays the `waitUrl` documents until the
caller is bridged, redirected by a REST update, or hangs up, then posts the `action`;
`<Dial>` rings a counselor (dial.py) and posts its `action`. Relative URLs resolve against
the URL of the document that held them.
"""

from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element

from helpline.emulator import dial

MEDIA = ("Say", "Play", "Pause")
# A `loop="0"` (repeat until something else happens) is cut here, in emulated seconds.
ENDLESS = 3600.0
CONTINUE = object()
# Emulated time is a float sum: a wait this close to its end is over.
EPSILON = 1e-6


@dataclass(frozen=True)
class Next:
    """Fetch this URL next, with these verb-specific parameters."""

    url: str
    params: dict = field(default_factory=dict)


class TwimlWalker:
    def __init__(self, call):
        self.call = call
        self.clock = call.clock
        self.options = call.options

    def follow(self, url: str) -> None:
        step = Next(url)
        while isinstance(step, Next) and not self.clock.stopped:
            document = self.call.fetch(step.url, step.params)
            if document is None:
                return
            step = self.play(document, step.url)

    def play(self, document: Element, url: str):
        for verb in document:
            step = self.verb(verb, url)
            if step is not CONTINUE:
                return step
        return None  # past the last verb the provider hangs up

    def verb(self, verb: Element, url: str):
        if verb.tag in MEDIA:
            self.clock.spend(self.length(verb))
            return CONTINUE
        if verb.tag == "Gather":
            return self.gather(verb, url)
        if verb.tag == "Redirect":
            target = self.target(verb, url, (verb.text or "").strip() or url, "method")
            return Next(target) if target else None
        if verb.tag == "Enqueue":
            return self.enqueue(verb, url)
        if verb.tag == "Dial":
            return self.dial(verb, url)
        if verb.tag == "Hangup":
            return None
        self.call.problem(f"<{verb.tag}> in {_path(url)} is not emulated; the call ends there")
        return None

    def length(self, verb: Element) -> float:
        """Emulated seconds a media verb takes to play."""
        if verb.tag == "Pause":
            return _number(verb.get("length"), 1.0)
        loops = _number(verb.get("loop"), 1.0)
        if verb.tag == "Say":
            once = max(1.0, len((verb.text or "").strip()) / self.options.speech_rate)
        else:
            once = self.options.play.draw(self.call.media_rng)
        return ENDLESS if loops <= 0 else min(ENDLESS, once * loops)

    def target(self, verb: Element, url: str, reference: str, method_attribute: str) -> str | None:
        """The absolute URL a verb points at, or None (and a problem) for a method we do not emulate."""
        method = (verb.get(method_attribute) or "POST").upper()
        if method != "POST":
            self.call.problem(f"<{verb.tag} {method_attribute}={method}> in {_path(url)}: only POST is emulated")
            return None
        return urljoin(url, reference)

    def gather(self, verb: Element, url: str):
        for child in verb:
            if child.tag in MEDIA:
                self.clock.spend(self.length(child))
            else:
                self.call.problem(f"<{child.tag}> inside <Gather> in {_path(url)} is not emulated")
        key = self.options.key_mix.draw(self.call.rng)
        timeout = _number(verb.get("timeout"), 5.0)
        action = self.target(verb, url, verb.get("action") or url, "method")
        if action is None:
            return None
        self.call.gather_url = action
        self.call.menu_choice(key or "silence")
        if key is None:
            self.clock.spend(timeout)
            return Next(action) if verb.get("actionOnEmptyResult") == "true" else CONTINUE
        self.clock.spend(min(self.options.think.draw(self.call.rng), timeout))
        return Next(action, {"Digits": key})

    def enqueue(self, verb: Element, url: str):
        call, outcome = self.call, self.call.outcome
        if self.clock.stopped:
            return None
        action = self.target(verb, url, verb.get("action"), "method") if verb.get("action") else None
        wait_url = self.target(verb, url, verb.get("waitUrl"), "waitUrlMethod") if verb.get("waitUrl") else None
        if verb.get("action") and action is None:
            return None
        # Drawn up front, so the caller's fate does not depend on how many hold documents played.
        patience = self.options.wait.draw(call.rng)
        bridged = call.rng.random() >= self.options.abandon
        talk = self.options.talk.draw(call.rng)

        outcome.enqueues += 1
        call.queue_action_url = action
        queue = call.queues.get((verb.text or "").strip())
        joined = self.clock.elapsed
        member = queue.join(call.call_sid, lambda: self.clock.elapsed - joined)
        if member is None:
            result, params = "queue-full", {"QueueResult": "queue-full"}
            outcome.gave_up = outcome.queue_results.count("queue-full") >= self.options.max_bounces
        else:
            result, queue_time = self.stay(queue, member, wait_url, patience, bridged)
            outcome.queue_times.append(queue_time)
            params = {"QueueResult": result, "QueueSid": queue.sid, "QueueTime": str(queue_time)}
            if result == "bridged":
                self.clock.spend(talk)
        outcome.queue_results.append(result)
        if result == "redirected":
            return self.redirected(member.redirect_url, action, params)

        caller_gone = result == "hangup" or outcome.gave_up or self.clock.stopped
        if action is None:
            return None if caller_gone else CONTINUE
        if caller_gone:
            # The provider still reports how the caller left; there is nobody to play the answer to.
            if result == "hangup" and call.faults.late_result:
                call.late_results.append(Next(action, params))
            else:
                call.fetch(action, params)
            return None
        return Next(action, params)

    def redirected(self, target: str, action: str | None, params: dict[str, str]):
        """A REST update took the caller out: the provider reports it to `action` at once,
        plays nothing of the answer (the call is already elsewhere), and fetches `target`."""
        if action is not None:
            self.call.fetch(action, params)
        return None if self.clock.stopped else Next(target)

    def dial(self, verb: Element, url: str):
        action = self.target(verb, url, verb.get("action"), "method") if verb.get("action") else None
        if verb.get("action") and action is None:
            return None
        params = dial.place(self.call, verb, url)
        if params is None:
            return None
        if action is None:
            return None if self.clock.stopped else CONTINUE
        if self.clock.stopped:
            # The caller hung up: the provider still posts the action and plays nothing of it.
            self.call.fetch(action, {**params, "CallStatus": "completed"})
            return None
        return Next(action, params)

    def stay(self, queue, member, wait_url: str | None, patience: float, bridged: bool) -> tuple[str, int]:
        """Wait in the queue until bridged or gone; the result and the emulated seconds queued."""
        joined = self.clock.elapsed
        deadline = joined + patience
        while not member.exited.is_set():
            remaining = deadline - self.clock.elapsed
            if remaining <= EPSILON or self.clock.stopped:
                # With bridge="self" the drawn fate decides; with "rest" only a counselor's
                # redirect takes the caller, who hangs up here when nobody did. Whoever came
                # first wins: a member leaves the queue once.
                self_bridge = bridged and self.options.bridge != "rest"
                (queue.bridge if self_bridge else queue.hang_up)(member.call_sid)
                break
            before = self.clock.elapsed
            document = None
            if wait_url is not None:
                position = queue.position(member.call_sid)
                if position is None:
                    continue
                document = self.call.fetch(wait_url, self.queue_params(queue, position, self.clock.elapsed - joined))
            if document is None:
                # No waitUrl, or it failed: the provider's own hold music plays.
                self.clock.spend(min(self.options.play.draw(self.call.media_rng), remaining), member.exited)
            else:
                self.hold(document, queue, member, deadline, wait_url)
            if self.clock.elapsed == before and not member.exited.is_set():
                # An empty hold document would otherwise be fetched again at once, forever.
                self.clock.spend(min(1.0, remaining), member.exited)
        queue_time = self.clock.elapsed - joined
        queue.record_wait(queue_time)
        return member.result or "hangup", int(queue_time)

    def queue_params(self, queue, position: int, in_queue: float) -> dict[str, str]:
        return {
            "QueueSid": queue.sid,
            "QueuePosition": str(position),
            "QueueTime": str(int(in_queue)),
            "AvgQueueTime": str(queue.average_wait()),
            "CurrentQueueSize": str(queue.size()),
            "MaxQueueSize": str(queue.max_size),
        }

    def hold(self, document: Element, queue, member, deadline: float, url: str) -> None:
        """Play one `waitUrl` document, cut short when the caller's wait is over."""
        for verb in document:
            remaining = deadline - self.clock.elapsed
            if member.exited.is_set() or remaining <= EPSILON:
                return
            if verb.tag in MEDIA:
                self.clock.spend(min(self.length(verb), remaining), member.exited)
            elif verb.tag == "Leave":
                queue.leave(member.call_sid)
            elif verb.tag == "Hangup":
                queue.hang_up(member.call_sid)
            else:
                self.call.problem(f"<{verb.tag}> in the hold document {_path(url)} is not emulated")
                return


def _number(text: str | None, default: float) -> float:
    try:
        return float(text) if text is not None else default
    except ValueError:
        return default


def _path(url: str) -> str:
    return urlsplit(url).path
