"""What a run did: a thread-safe recorder the call threads report to, and the final Summary."""

import math
import threading
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

# Problems kept word for word; beyond this only the count grows.
PROBLEMS_KEPT = 200


@dataclass
class CallOutcome:
    """One emulated call, as the emulator played it."""

    index: int
    call_sid: str
    caller: str
    menu_choices: list[str] = field(default_factory=list)
    queue_results: list[str] = field(default_factory=list)
    queue_times: list[int] = field(default_factory=list)
    enqueues: int = 0
    # The DialCallStatus of each `<Dial>` the caller went through.
    dial_results: list[str] = field(default_factory=list)
    duration: int | None = None
    completed: bool = False
    gave_up: bool = False

    @property
    def queue_result(self) -> str | None:
        return self.queue_results[-1] if self.queue_results else None

    @property
    def redirects(self) -> int:
        return self.queue_results.count("redirected")

    @property
    def wait_seconds(self) -> int | None:
        return max(self.queue_times) if self.queue_times else None


@dataclass
class Summary:
    seed: int
    calls_placed: int = 0
    calls_completed: int = 0
    bridged: int = 0
    abandoned: int = 0
    requeued: int = 0
    gave_up: int = 0
    # Redirects out of the queue by a REST update (a call may be redirected more than once).
    redirected: int = 0
    dials_answered: int = 0
    dials_unanswered: int = 0
    # REST requests the fake provider API received: status code -> count.
    rest_requests: dict[str, int] = field(default_factory=dict)
    menu_choices: dict[str, int] = field(default_factory=dict)
    # URL path -> status code (as text, or "error" when nothing came back) -> count.
    requests: dict[str, dict[str, int]] = field(default_factory=dict)
    requests_total: int = 0
    # Valid deliveries answered 2xx, counting a byte-identical re-send once: what the
    # service's journal should hold.
    distinct_deliveries: int = 0
    injected: dict[str, int] = field(default_factory=dict)
    # Malformed variant -> status code -> count.
    malformed: dict[str, dict[str, int]] = field(default_factory=dict)
    latency_ms: dict[str, float | None] = field(default_factory=dict)
    problem_count: int = 0
    problems: list[str] = field(default_factory=list)
    elapsed_seconds: float = 0.0
    calls: list[CallOutcome] = field(default_factory=list)
    # The valid deliveries answered 2xx, each once: (url, sorted params) pairs, the exact
    # requests the service acknowledged and so must have recorded.
    acknowledged: list[tuple] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def text(self) -> str:
        """The summary as text for a terminal."""
        return render(self)

    def to_dict(self, *, include_calls: bool = False) -> dict:
        data = asdict(self)
        del data["acknowledged"]
        if include_calls:
            for outcome, entry in zip(self.calls, data["calls"], strict=True):
                entry.update(queue_result=outcome.queue_result, wait_seconds=outcome.wait_seconds, redirects=outcome.redirects)
        else:
            del data["calls"]
        return data


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(len(sorted_values) * fraction))
    return sorted_values[min(rank, len(sorted_values)) - 1]


class Recorder:
    def __init__(self, seed: int):
        self.seed = seed
        self._lock = threading.Lock()
        self._requests: dict[str, Counter] = defaultdict(Counter)
        self._latencies: list[float] = []
        self._deliveries: set = set()
        # out_of_order counts calls; late_deliveries the requests those calls sent late.
        self._injected: Counter = Counter({"duplicates": 0, "out_of_order": 0, "late_deliveries": 0, "malformed": 0})
        self._malformed: dict[str, Counter] = defaultdict(Counter)
        self._menu: Counter = Counter()
        self._rest: Counter = Counter()
        self._problems: list[str] = []
        self._problem_count = 0
        self._outcomes: list[CallOutcome] = []

    def request(self, path: str, status: int | None, seconds: float) -> None:
        with self._lock:
            self._requests[path][str(status) if status is not None else "error"] += 1
            self._latencies.append(seconds)

    def rest_request(self, status: int) -> None:
        with self._lock:
            self._rest[str(status)] += 1

    def delivered(self, fingerprint) -> None:
        with self._lock:
            self._deliveries.add(fingerprint)

    def injected(self, kind: str) -> None:
        with self._lock:
            self._injected[kind] += 1

    def malformed_answered(self, variant: str, status: int | None) -> None:
        with self._lock:
            self._malformed[variant][str(status) if status is not None else "error"] += 1

    def menu_choice(self, choice: str) -> None:
        with self._lock:
            self._menu[choice] += 1

    def problem(self, text: str) -> None:
        with self._lock:
            self._problem_count += 1
            if len(self._problems) < PROBLEMS_KEPT:
                self._problems.append(text)

    def call_done(self, outcome: CallOutcome) -> None:
        with self._lock:
            self._outcomes.append(outcome)

    def summary(self, elapsed: float) -> Summary:
        with self._lock:
            outcomes = sorted(self._outcomes, key=lambda outcome: outcome.index)
            latencies = sorted(self._latencies)
            return Summary(
                seed=self.seed,
                calls_placed=len(outcomes),
                calls_completed=sum(outcome.completed for outcome in outcomes),
                bridged=sum(outcome.queue_result == "bridged" for outcome in outcomes),
                abandoned=sum(outcome.queue_result == "hangup" for outcome in outcomes),
                requeued=sum(outcome.enqueues > 1 for outcome in outcomes),
                gave_up=sum(outcome.gave_up for outcome in outcomes),
                redirected=sum(outcome.redirects for outcome in outcomes),
                dials_answered=sum(outcome.dial_results.count("completed") for outcome in outcomes),
                dials_unanswered=sum(len(outcome.dial_results) - outcome.dial_results.count("completed") for outcome in outcomes),
                rest_requests=dict(sorted(self._rest.items())),
                menu_choices=dict(sorted(self._menu.items())),
                requests={path: dict(sorted(codes.items())) for path, codes in sorted(self._requests.items())},
                requests_total=sum(sum(codes.values()) for codes in self._requests.values()),
                distinct_deliveries=len(self._deliveries),
                injected=dict(self._injected),
                malformed={variant: dict(codes) for variant, codes in sorted(self._malformed.items())},
                latency_ms={
                    "p50": _ms(percentile(latencies, 0.50)),
                    "p99": _ms(percentile(latencies, 0.99)),
                },
                problem_count=self._problem_count,
                problems=list(self._problems),
                elapsed_seconds=round(elapsed, 3),
                calls=outcomes,
                acknowledged=sorted(self._deliveries),
            )


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def render(summary: Summary) -> str:
    """The summary as text for a terminal."""

    def counts(mapping: dict) -> str:
        return ", ".join(f"{key}: {value}" for key, value in mapping.items()) or "none"

    lines = [
        f"calls: {summary.calls_placed} placed, {summary.calls_completed} completed, "
        f"{summary.bridged} bridged, {summary.abandoned} abandoned, {summary.requeued} requeued"
        + (f", {summary.gave_up} gave up on a full queue" if summary.gave_up else ""),
        f"menu choices: {counts(summary.menu_choices)}",
        *(
            [
                f"taken by REST: {summary.redirected} redirected, dials {summary.dials_answered} answered,"
                f" {summary.dials_unanswered} not; REST requests: {counts(summary.rest_requests)}"
            ]
            if summary.rest_requests or summary.dials_answered or summary.dials_unanswered
            else []
        ),
        f"requests: {summary.requests_total} ({summary.distinct_deliveries} distinct valid deliveries)",
        *(f"  {path}: {counts(codes)}" for path, codes in summary.requests.items()),
        f"injected: {counts(summary.injected)}",
        *(f"  malformed {variant}: {counts(codes)}" for variant, codes in summary.malformed.items()),
        f"latency: p50 {summary.latency_ms.get('p50')} ms, p99 {summary.latency_ms.get('p99')} ms",
        f"elapsed: {summary.elapsed_seconds} s, seed {summary.seed}",
        f"problems: {summary.problem_count}",
        *(f"  {problem}" for problem in summary.problems),
    ]
    if summary.problem_count > len(summary.problems):
        lines.append(f"  … and {summary.problem_count - len(summary.problems)} more")
    return "\n".join(lines)
