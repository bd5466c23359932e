"""The live benchmarks' load: signed webhooks that keep the queue's length, and reading wrk."""

from urllib.parse import parse_qsl

from twilio.request_validator import RequestValidator

from bench.load import Callers, parse_wrk, percentile
from bench.servers import AUTH_TOKEN

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8000/twilio/menu
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.10ms    3.20ms  80.00ms   90.00%
    Req/Sec     1.32k   100.00     1.50k    70.00%
  Latency Distribution
     50%   11.50ms
     75%   13.00ms
     90%   15.00ms
     99%    1.20s
  13200 requests in 10.01s, 5.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   1318.68
Transfer/sec:    511.00KB
"""


def test_wrk_output_is_read():
    result = parse_wrk(WRK_OUTPUT)
    assert (result.requests, result.seconds, result.throughput) == (13200, 10.01, 1318.68)
    assert (result.p50_ms, result.p99_ms, result.errors) == (11.5, 1200.0, 3)


def test_percentiles_are_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 0.5) == 50 and percentile(values, 0.99) == 99 and percentile(values, 1.0) == 100
    assert percentile([7.0], 0.99) == 7.0


def test_arrivals_and_departures_keep_the_queue_and_are_signed():
    callers = Callers("http://127.0.0.1:8000", queue_length=5)
    filled = callers.fill()
    assert len(filled) == 5 and len({hook.call_sid for hook in filled}) == 5
    stream = callers.stream(10)
    assert [hook.kind for hook in stream] == ["arrival", "departure"] * 5
    # The oldest callers leave first, and the queue keeps its length.
    assert [hook.call_sid for hook in stream if hook.kind == "departure"] == [hook.call_sid for hook in filled]
    assert len(callers.waiting) == 5
    for hook in stream:
        params = dict(parse_qsl(hook.body))
        assert RequestValidator(AUTH_TOKEN).validate("http://127.0.0.1:8000" + hook.path, params, hook.signature)


def test_unsent_webhooks_are_given_back():
    callers = Callers("http://127.0.0.1:8000", queue_length=3)
    callers.fill()
    before = list(callers.waiting)
    stream = callers.stream(6)
    callers.forget(stream[2:])
    # One arrival and one departure were sent: the first caller left, the new one waits.
    assert list(callers.waiting) == before[1:] + [stream[0].call_sid]
