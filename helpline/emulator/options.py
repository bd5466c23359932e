"""The emulator's knobs: how many calls, how fast, how callers behave, which faults to inject.

Times are in emulated seconds; `time_scale` turns them into real sleeps.
"""

import re
from dataclasses import dataclass, field
from random import Random

SINGLE_KEYS = "0123456789*#"
# Keys a confused caller presses that the default menu does not offer; `#` is left out
# because it is the `<Gather>` finish key and would read as silence.
WRONG_KEYS = "0678*"


@dataclass(frozen=True)
class Range:
    """A closed range of emulated seconds, drawn uniformly."""

    low: float
    high: float

    def __post_init__(self):
        if not 0 <= self.low <= self.high:
            raise ValueError(f"bad range {self.low}-{self.high}: expected 0 <= LOW <= HIGH")

    def draw(self, rng: Random) -> float:
        return rng.uniform(self.low, self.high)

    @classmethod
    def parse(cls, text: str) -> "Range":
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?)\s*)?", text)
        if not match:
            raise ValueError(f"bad range {text!r}: expected SECONDS or LOW-HIGH")
        low = float(match[1])
        return cls(low, float(match[2]) if match[2] else low)

    def __str__(self) -> str:
        return f"{self.low:g}-{self.high:g}"


@dataclass(frozen=True)
class KeyMix:
    """What a caller does at each `<Gather>`: a key, `silence`, or `wrong` (a key the menu lacks)."""

    weights: tuple[tuple[str, float], ...]

    def __post_init__(self):
        if not self.weights or sum(weight for _, weight in self.weights) <= 0:
            raise ValueError("the key mix needs at least one choice with a positive weight")
        for choice, weight in self.weights:
            if weight < 0:
                raise ValueError(f"negative weight for {choice!r}")
            if choice not in ("silence", "wrong") and (len(choice) != 1 or choice not in SINGLE_KEYS):
                raise ValueError(f"unknown choice {choice!r}: a single phone key, `silence` or `wrong`")

    def draw(self, rng: Random) -> str | None:
        """A key to press, or None for silence."""
        choices, weights = zip(*self.weights, strict=True)
        choice = rng.choices(choices, weights=weights)[0]
        if choice == "silence":
            return None
        if choice == "wrong":
            return rng.choice(WRONG_KEYS)
        return choice

    @classmethod
    def parse(cls, text: str) -> "KeyMix":
        weights = []
        for part in text.split(","):
            choice, separator, weight = part.partition("=")
            if not separator:
                raise ValueError(f"bad key mix entry {part.strip()!r}: expected CHOICE=WEIGHT")
            try:
                weights.append((choice.strip(), float(weight)))
            except ValueError:
                raise ValueError(f"bad weight in {part.strip()!r}") from None
        return cls(tuple(weights))

    def __str__(self) -> str:
        return ",".join(f"{choice}={weight:g}" for choice, weight in self.weights)


def parse_listen(text: str) -> tuple[str, int]:
    """`HOST:PORT` (port 0: any free one) as a (host, port) pair."""
    host, separator, port = text.strip().rpartition(":")
    if not separator or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"bad address {text!r}: expected HOST:PORT")
    return host.strip("[]"), int(port)


BRIDGES = ("self", "rest")
DEFAULT_KEY_MIX = KeyMix.parse("1=16,2=16,3=16,4=14,5=14,9=6,silence=10,wrong=8")


@dataclass(frozen=True)
class Options:
    calls: int = 10
    # Real calls per second: the load the service sees, whatever the time scale.
    rate: float = 1.0
    max_live: int = 200
    callers: int = 50
    anonymous: float = 0.05
    to: str = "+981480"
    voice_path: str = "/twilio/voice"
    status_path: str = "/twilio/status"

    time_scale: float = 0.02
    wait: Range = Range(10, 240)
    talk: Range = Range(60, 900)
    think: Range = Range(1, 4)
    play: Range = Range(20, 40)
    speech_rate: float = 14.0
    abandon: float = 0.3
    key_mix: KeyMix = field(default=DEFAULT_KEY_MIX)

    max_queue_size: int = 1000
    max_bounces: int = 5

    # Who takes callers out of the queue: "self" (the emulator, after the drawn wait, as if a
    # counselor dialled the queue) or "rest" (only a REST redirect; otherwise the caller's
    # patience runs out). None: "rest" when a REST server runs, "self" otherwise.
    bridge: str | None = None
    # "HOST:PORT" for the fake REST API (port 0: any free one); None runs none.
    rest_listen: str | None = None
    # A `<Dial>`ed counselor answers after `ring` emulated seconds, or not at all.
    ring: Range = Range(2, 12)
    counselor_no_answer: float = 0.05

    duplicates: float = 0.0
    out_of_order: float = 0.0
    malformed: float = 0.0

    seed: int | None = None
    timeout: float = 15.0

    def __post_init__(self):
        checks = {
            "calls": self.calls >= 0,
            "rate": self.rate > 0,
            "max_live": self.max_live >= 1,
            "callers": self.callers >= 1,
            "time_scale": self.time_scale >= 0,
            "speech_rate": self.speech_rate > 0,
            "max_queue_size": self.max_queue_size >= 1,
            "max_bounces": self.max_bounces >= 0,
            "timeout": self.timeout > 0,
        }
        checks.update({
            name: 0 <= getattr(self, name) <= 1
            for name in ("anonymous", "abandon", "duplicates", "out_of_order", "malformed", "counselor_no_answer")
        })
        checks["bridge"] = self.bridge in (None, *BRIDGES)
        if self.rest_listen is not None:
            try:
                parse_listen(self.rest_listen)
            except ValueError:
                checks["rest_listen"] = False
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"out-of-range options: {', '.join(bad)}")
