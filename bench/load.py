"""Load for the live benchmarks: signed provider webhooks, `wrk` for the closed loop, and a
paced sender for the open loop.

Every webhook is what the provider sends: a form body and an `X-Twilio-Signature` computed
with the twilio library's `RequestValidator` for the URL the service is reached at, each call
with a CallSid of its own.
"""

import http.client
import itertools
import math
import random
import re
import subprocess
import tempfile
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from twilio.request_validator import RequestValidator

from bench.servers import ACCOUNT_SID, AUTH_TOKEN

# The menu's keys as callers press them: most pick a category, a few are in danger now.
KEYS = ["1"] * 40 + ["2"] * 20 + ["3"] * 10 + ["4"] * 10 + ["5"] * 18 + ["9"] * 2
# How callers leave the queue: most are answered, some hang up while waiting.
LEAVING = ["bridged"] * 3 + ["hangup"]


@dataclass(frozen=True)
class Webhook:
    kind: str
    path: str
    body: str
    signature: str
    call_sid: str


def new_call_sid() -> str:
    return "CA" + uuid.uuid4().hex


def signed(base_url: str, kind: str, path: str, params: dict[str, str]) -> Webhook:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(base_url + path, params)
    return Webhook(kind, path, urlencode(params), signature, params["CallSid"])


def caller_params(call_sid: str, **extra: str) -> dict[str, str]:
    return {
        "CallSid": call_sid,
        "AccountSid": ACCOUNT_SID,
        "From": "+98912" + f"{random.randrange(10**7):07d}",
        "To": "+981480",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        "CallStatus": "in-progress",
        **extra,
    }


class Callers:
    """Callers pressing a key (arriving in the queue) and leaving it, the oldest first, so
    that the queue holds `queue_length` callers while arrivals and departures alternate."""

    def __init__(self, base_url: str, queue_length: int, seed: int = 1480):
        self.base_url = base_url
        self.queue_length = queue_length
        self.waiting: deque[str] = deque()
        random.seed(seed)

    def arrival(self) -> Webhook:
        call_sid = new_call_sid()
        self.waiting.append(call_sid)
        params = caller_params(call_sid, Digits=random.choice(KEYS))
        return signed(self.base_url, "arrival", "/twilio/menu?attempt=1&lang=en", params)

    def departure(self) -> Webhook:
        call_sid = self.waiting.popleft()
        params = caller_params(call_sid, QueueResult=random.choice(LEAVING), QueueTime=str(random.randrange(5, 300)), QueueSid="QU" + "a" * 32)
        return signed(self.base_url, "departure", "/twilio/queue-result?lang=en", params)

    def incoming(self, count: int) -> list[Webhook]:
        """Calls coming in (`/twilio/voice`, the number's URL): each a new call, greeted with the
        menu; none joins the queue."""
        hooks = []
        for _ in range(count):
            params = caller_params(new_call_sid(), CallStatus="ringing")
            hooks.append(signed(self.base_url, "incoming", "/twilio/voice", params))
        return hooks

    def fill(self) -> list[Webhook]:
        """Arrivals up to the queue's length."""
        return [self.arrival() for _ in range(self.queue_length - len(self.waiting))]

    def stream(self, count: int) -> list[Webhook]:
        """Arrivals and departures, alternating; the queue's length stays where it is."""
        hooks = []
        for _ in range(count // 2):
            hooks.append(self.arrival())
            hooks.append(self.departure())
        return hooks

    def forget(self, sent: list[Webhook]) -> None:
        """Hooks prepared but never sent (wrk stopped before them): their arrivals never queued
        and their departures never left (incoming calls hold no place in the queue)."""
        # Undone newest first, each arrival's caller is the newest left, at the right.
        for hook in reversed(sent):
            if hook.kind == "arrival":
                assert self.waiting.pop() == hook.call_sid
            elif hook.kind == "departure":
                self.waiting.appendleft(hook.call_sid)


def send(base_url: str, hook: Webhook, connection: http.client.HTTPConnection | None = None) -> int:
    if connection is None:
        parts = urlsplit(base_url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("POST", hook.path, hook.body, headers(hook))
    response = connection.getresponse()
    response.read()
    return response.status


def headers(hook: Webhook) -> dict[str, str]:
    return {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": hook.signature}


def send_all(base_url: str, hooks: list[Webhook]) -> None:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    for hook in hooks:
        status = send(base_url, hook, connection)
        if status >= 300:
            raise RuntimeError(f"{hook.kind} webhook answered {status}")
    connection.close()


# The closed loop: wrk, cycling through pre-signed requests in order (one wrk thread, so one
# Lua state and one order; several connections).

WRK_SCRIPT = r"""
local requests = {}
local count = 0
init = function(args)
  for line in io.lines(args[1]) do
    local signature, path, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    requests[#requests + 1] = wrk.format("POST", path, {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["X-Twilio-Signature"] = signature,
    }, body)
  end
end
request = function()
  count = count + 1
  return requests[(count - 1) % #requests + 1]
end
"""


@dataclass
class WrkResult:
    requests: int
    seconds: float
    throughput: float
    p50_ms: float
    p99_ms: float
    errors: int


def milliseconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output: str) -> WrkResult:
    done = re.search(r"(\d+) requests in ([\d.]+)(s|ms|m)", output)
    seconds = milliseconds(done.group(2) + done.group(3)) / 1000
    percentile = {p: milliseconds(v) for p, v in re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)", output, re.MULTILINE)}
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    return WrkResult(int(done.group(1)), seconds, float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
                     percentile["50"], percentile["99"], errors)


def wrk(url: str, hooks: list[Webhook], *, connections: int, seconds: int) -> WrkResult:
    """Closed loop: `connections` connections each sending the next request as soon as the last
    is answered, for `seconds`."""
    with tempfile.TemporaryDirectory(prefix="helpline-bench-wrk-") as directory:
        script, bodies = Path(directory) / "webhooks.lua", Path(directory) / "webhooks.tsv"
        script.write_text(WRK_SCRIPT)
        bodies.write_text("".join(f"{h.signature}\t{h.path}\t{h.body}\n" for h in hooks))
        command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s", "-s", str(script), url, "--", str(bodies)]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


# The open loop: each request has its due time (rate per second from the start) whatever
# happened to the ones before; its latency runs from its due time, so waiting behind a slow
# request counts.


@dataclass
class Sent:
    kind: str
    latency: float
    status: int


# A request still unsent this long after its due time is given up (status 0): a server far
# slower than the rate would otherwise keep the benchmark running for many minutes.
GIVE_UP_SECONDS = 15


def open_loop(base_url: str, hooks: list[Webhook], rate: float, senders: int = 32) -> list[Sent]:
    parts = urlsplit(base_url)
    start = time.perf_counter() + 0.5
    order = itertools.count()
    results: list[Sent | None] = [None] * len(hooks)

    def sender() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        while (index := next(order)) < len(hooks):
            due = start + index / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            elif -delay > GIVE_UP_SECONDS:
                results[index] = Sent(hooks[index].kind, -delay, 0)
                continue
            try:
                status = send(base_url, hooks[index], connection)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                status = 599
            results[index] = Sent(hooks[index].kind, time.perf_counter() - due, status)
        connection.close()

    threads = [threading.Thread(target=sender, name=f"sender-{n}") for n in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [result for result in results if result is not None]


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]
