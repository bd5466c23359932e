"""Faults injected on request: which calls get them, and the malformed requests themselves.

Duplicates are per request and live in `transport.Line`; out-of-order delivery and
malformed requests are decided here once per call, from the call's own fault generator,
so the same seed gives the same faults and the call's behaviour does not shift with them.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from random import Random

from werkzeug.datastructures import MultiDict

from helpline.emulator.transport import Delivery, Line, Signer

WELL_FORMED_CALL_SID = re.compile(r"CA[0-9a-f]{32}")
OUT_OF_ORDER_KINDS = ("progress", "result", "both")

# Variants the service must refuse with 403: the signature does not hold.
SIGNATURE_VARIANTS = ("bad-signature", "tampered-body", "unsigned", "signed-for-another-url")
# Variants it must refuse with a 4xx: signed correctly, but the shape is wrong.
SHAPE_VARIANTS = (
    "bad-call-sid",
    "missing-call-sid",
    "duplicate-call-sid",
    "non-numeric-queue-time",
    "bad-call-status",
    "bad-timestamp",
    "bad-digits",
)
MALFORMED_VARIANTS = SIGNATURE_VARIANTS + SHAPE_VARIANTS


@dataclass
class FaultPlan:
    # Earlier status callbacks (ringing, in-progress) delivered after the completed one.
    late_progress: bool = False
    # The last queue result (a caller who hung up in the queue) delivered after completed.
    late_result: bool = False
    malformed: str | None = None
    # Sent just before the call's TwiML request with this number (1 = the first action).
    malformed_before: int = 0

    @property
    def out_of_order(self) -> bool:
        return self.late_progress or self.late_result


def plan(rng: Random, *, out_of_order: float, malformed: float) -> FaultPlan:
    faults = FaultPlan()
    if out_of_order and rng.random() < out_of_order:
        kind = rng.choice(OUT_OF_ORDER_KINDS)
        faults.late_progress = kind in ("progress", "both")
        faults.late_result = kind in ("result", "both")
    if malformed and rng.random() < malformed:
        faults.malformed = rng.choice(MALFORMED_VARIANTS)
        faults.malformed_before = rng.randint(1, 4)
    return faults


def expected(variant: str) -> str:
    return "403" if variant in SIGNATURE_VARIANTS else "4xx"


def refused_as_expected(variant: str, status: int | None) -> bool:
    if status is None:
        return False
    if variant in SIGNATURE_VARIANTS:
        return status == 403
    return 400 <= status < 500


def malformed_delivery(
    variant: str,
    line: Line,
    rng: Random,
    *,
    params: dict[str, str],
    voice_url: str,
    status_url: str,
    gather_url: str | None,
    queue_action_url: str | None,
) -> Delivery:
    """The malformed request of this variant, about the call whose standard `params` are given."""
    completed = {
        **params,
        "CallStatus": "completed",
        "CallDuration": str(rng.randint(1, 600)),
        "SequenceNumber": "2",
        "Timestamp": format_datetime(datetime.now(timezone.utc), usegmt=True),
        "CallbackSource": "call-progress-events",
    }
    if variant == "bad-signature":
        return line.prepare(status_url, completed, signature=Signer("not-the-auth-token").sign(status_url, completed))
    if variant == "tampered-body":
        signature = line.signer.sign(status_url, completed)
        return line.prepare(status_url, {**completed, "CallDuration": "86399"}, signature=signature)
    if variant == "unsigned":
        return line.prepare(status_url, completed, signature=None)
    if variant == "signed-for-another-url":
        return line.prepare(status_url, completed, signature=line.signer.sign(voice_url, completed))
    if variant == "bad-call-sid":
        sid = params["CallSid"]
        bad = rng.choice(("CA" + sid[2:].upper(), sid[:-1], "CB" + sid[2:], sid + "0", sid[:20] + "zz" + sid[22:]))
        if WELL_FORMED_CALL_SID.fullmatch(bad):
            bad = "CB" + sid[2:]
        return line.prepare(voice_url, {**params, "CallSid": bad, "CallStatus": "ringing"})
    if variant == "missing-call-sid":
        return line.prepare(voice_url, {name: value for name, value in params.items() if name != "CallSid"} | {"CallStatus": "ringing"})
    if variant == "duplicate-call-sid":
        pairs = [*params.items(), ("CallSid", "CA" + f"{rng.getrandbits(128):032x}"), ("CallStatus", "ringing")]
        return line.prepare(voice_url, pairs, signature=line.signer.sign(voice_url, MultiDict(pairs)))
    if variant == "non-numeric-queue-time":
        url = queue_action_url or status_url
        queue_time = rng.choice(("3 minutes", "-5", "1e3", "12.5", ""))
        return line.prepare(url, {**params, "CallStatus": "in-progress", "QueueResult": "bridged", "QueueTime": queue_time})
    if variant == "bad-call-status":
        return line.prepare(status_url, {**completed, "CallStatus": rng.choice(("finished", "COMPLETED", "hung-up"))})
    if variant == "bad-timestamp":
        # The last: RFC 2822 in form, but no UTC time exists for it.
        timestamp = rng.choice(("yesterday", "2026-01-01T10:00:00", "Mon, 99 Foo 2026", "Fri, 31 Dec 9999 23:59:59 -2359"))
        return line.prepare(status_url, {**completed, "Timestamp": timestamp})
    if variant == "bad-digits":
        url = gather_url or status_url
        return line.prepare(url, {**params, "CallStatus": "in-progress", "Digits": rng.choice(("1 OR 1=1", "12a", "<1>"))})
    raise ValueError(f"unknown malformed variant {variant!r}")
