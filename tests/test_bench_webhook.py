"""Benchmark 1a's figures: incoming calls as the provider signs them, the service's ratios to
both references, and the targets' verdicts in the written section."""

from types import SimpleNamespace
from urllib.parse import parse_qsl

from twilio.request_validator import RequestValidator

from bench.load import Callers, WrkResult
from bench.servers import AUTH_TOKEN
from bench.webhook_section import detail_rows, p99_cell, ratio, ratio_cell, summary_rows, write


def figures(throughput: float, p99: float = 0.010, kinds: tuple[str, ...] = ("arrival", "departure")) -> dict:
    return {
        "closed": WrkResult(int(throughput * 10), 10.0, throughput, 5.0, 20.0, 0),
        "cpu_ms": 2.0, "postgres_cpu_ms": 1.0, "sent": 2000, "failed": 0, "given_up": 0,
        "p50": 0.004, "p99": p99, "by_kind": dict.fromkeys(kinds, (0.004, p99)),
    }


def run(service_voice: float, service_queue: float, p99: float = 0.010) -> dict:
    """The service's closed-loop throughput for each workload; references at 1,000 (durable) and 2,000 (bare)."""
    return {
        "service": {"voice": figures(service_voice, p99, ("incoming",)), "queue": figures(service_queue, p99)},
        "durable": {"voice": figures(1000, kinds=("incoming",)), "queue": figures(1000)},
        "bare": {"voice": figures(2000, kinds=("incoming",)), "queue": figures(2000)},
    }


def test_incoming_calls_are_new_calls_signed_for_the_numbers_url():
    callers = Callers("http://127.0.0.1:8000", queue_length=2)
    callers.fill()
    waiting = list(callers.waiting)
    calls = callers.incoming(3)
    assert [hook.path for hook in calls] == ["/twilio/voice"] * 3 and len({hook.call_sid for hook in calls}) == 3
    for hook in calls:
        params = dict(parse_qsl(hook.body))
        assert params["CallStatus"] == "ringing" and "Digits" not in params
        assert RequestValidator(AUTH_TOKEN).validate("http://127.0.0.1:8000/twilio/voice", params, hook.signature)
    # They hold no place in the queue: unsent, nothing is given back.
    callers.forget(calls)
    assert list(callers.waiting) == waiting


def test_ratios_are_the_services_throughput_over_the_references():
    measured = run(700, 300)
    assert ratio(measured["service"]["voice"], measured["durable"]["voice"]) == 0.7
    assert ratio(measured["service"]["queue"], measured["bare"]["queue"]) == 0.15


def test_a_ratio_or_a_p99_past_its_target_is_marked():
    assert ratio_cell(0.7, 0.7) == "0.70 × (target ≥ 0.7 ×)"
    assert ratio_cell(0.34, 0.35) == "0.34 × (target ≥ 0.35 ×) ⚠"
    assert ratio_cell(0.123) == "0.12 ×"
    assert p99_cell(0.025, 100) == "25.0 (target ≤ 25 ms)"
    assert p99_cell(0.0251, 100) == "25.1 (target ≤ 25 ms) ⚠"
    # At another rate the figure is not judged against a target set for 100 a second.
    assert "⚠" not in p99_cell(0.5, 200) and "100/s" in p99_cell(0.5, 200)


def test_each_webhook_is_judged_against_its_own_target():
    # /twilio/voice at 0.69 × the durable reference misses 0.7; the queue's changes at 0.35 × meet 0.35.
    voice, queue = summary_rows(run(690, 350), 100, 10)
    assert voice[0] == "`POST /twilio/voice`" and voice[1].endswith("⚠") and voice[2] == "0.34 ×"
    assert "10 dashboards" in queue[0] and not queue[1].endswith("⚠") and queue[2] == "0.17 ×"
    assert not voice[3].endswith("⚠") and not queue[3].endswith("⚠")
    _, slow = summary_rows(run(800, 400, p99=0.030), 100, 10)
    assert slow[3].endswith("⚠")


def test_the_section_sets_the_three_servers_side_by_side():
    measured = run(800, 300)
    rows = {row[0]: row[1:] for row in detail_rows(measured, "queue", 100)}
    assert rows["throughput, closed loop (requests/s)"] == ("300", "1,000", "2,000")
    assert "… the key (`/twilio/menu`) p50 / p99 (ms)" in rows
    assert not any(label.startswith("…") for label, *_ in detail_rows(measured, "voice", 100))
    arguments = SimpleNamespace(processes=1, rate=100.0, queue=20, dashboards=10, connections=16, seconds=10, open_seconds=20)
    extra = {"pushes": 5000, "cpu": 30.0, "calls": 3000, "waiting_after": 20, "durable_rows": 9000, "dashboard_failures": 0,
             "load_began": 1.0, "load_ended": 2.0, "postgres": "15"}
    section = write(arguments, measured, extra)
    assert section.startswith("## Incoming-call webhooks\n")
    assert "| `POST /twilio/voice` | 0.80 × (target ≥ 0.7 ×) | 0.40 × |" in section
    assert "0.30 × (target ≥ 0.35 ×) ⚠" in section
    assert "load average 1.0 when the run began, 2.0 when it ended" in section
