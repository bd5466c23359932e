"""A flood of provider webhooks with faults in it, over real HTTP to gunicorn, with real signatures:
duplicates, out-of-order deliveries and malformed requests. Afterwards the database holds every
call once, in its final state, and every acknowledged webhook journaled exactly once.

3,000 events in `make test`; `HELPLINE_FAULT_EVENTS` sets another count. The soak
(`python -m bench.soak`) runs this test with 100,000 on each database and writes down what it
took (`HELPLINE_FAULT_SUMMARY` names the file it reads the figures from).
"""

import json
import math
import os
import time

from helpline.emulator import Options, Range, faults, run
from tests.support.load import assert_recorded_exactly_once
from tests.support.servers import gunicorn_process

# Requests an emulated call makes with the options below, duplicates and faults included
# (measured: about 9.5); used only to size the run.
EVENTS_PER_CALL = 9.5
# Per-delivery and per-call probabilities that give at least 10 % duplicates, 10 % late
# (out-of-order) deliveries and 1 % malformed requests among all the requests sent.
FAULTS = {"duplicates": 0.13, "out_of_order": 0.65, "malformed": 0.14}
def event_count() -> int:
    return int(os.environ.get("HELPLINE_FAULT_EVENTS", "3000"))


def test_a_flood_with_duplicates_late_and_malformed_webhooks_loses_and_doubles_nothing(app, tmp_path):
    target = event_count()
    options = Options(
        calls=math.ceil(target / EVENTS_PER_CALL),
        rate=10_000,
        max_live=100,
        time_scale=0.0005,
        wait=Range(5, 120),
        talk=Range(30, 300),
        play=Range(10, 20),
        seed=500,
        timeout=60,
        **FAULTS,
    )
    with gunicorn_process(app, tmp_path) as (base_url, _):
        started = time.monotonic()
        summary = run(base_url, app.config["TWILIO_AUTH_TOKEN"], app.config["TWILIO_ACCOUNT_SID"], options)
        seconds = time.monotonic() - started

    # No valid request was answered other than 2xx, no malformed one other than refused.
    assert summary.problem_count == 0, summary.problems[:20]
    server_errors = {path: codes for path, codes in summary.requests.items() if any(code == "error" or int(code) >= 500 for code in codes)}
    assert server_errors == {}

    total = summary.requests_total
    assert total >= 0.9 * target, summary.text()
    assert summary.injected["duplicates"] >= 0.10 * total
    assert summary.injected["late_deliveries"] >= 0.10 * total
    assert summary.injected["malformed"] >= 0.01 * total
    # Every malformed request got a 4xx (a 403 for a signature that does not hold), and
    # several kinds of each were sent.
    assert sum(sum(codes.values()) for codes in summary.malformed.values()) == summary.injected["malformed"]
    for variant, codes in summary.malformed.items():
        assert all(faults.refused_as_expected(variant, int(code)) for code in codes), (variant, codes)
    assert set(summary.malformed) & set(faults.SIGNATURE_VARIANTS) and len(set(summary.malformed) & set(faults.SHAPE_VARIANTS)) >= 5

    assert_recorded_exactly_once(app, summary)
    assert summary.requests_total == summary.distinct_deliveries + summary.injected["duplicates"] + summary.injected["malformed"]
    if "HELPLINE_FAULT_SUMMARY" in os.environ:
        figures = {"seconds": round(seconds, 1), "calls": len(summary.calls), "requests": total, **summary.injected}
        with open(os.environ["HELPLINE_FAULT_SUMMARY"], "w") as report:
            json.dump(figures, report)
