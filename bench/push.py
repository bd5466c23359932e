"""Benchmark 1b: from a queue-changing webhook to a dashboard's `queue` event, in one process
and in two processes through Redis, beside a bare python-socketio server's emit measured the
same way.

    .venv/bin/python -m bench.push

Each sample: note the time, send `POST /twilio/menu` for a new caller (signed, as the provider
sends it), and let a logged-in counselor's dashboard (python-socketio client, websocket
transport, a process of its own) note when the first `queue` event listing that caller
arrives. Then the caller who has waited longest leaves (`/twilio/queue-result`, not timed), so
the queue keeps its length. Two processes: the webhook goes to one gunicorn process, the
dashboard is connected to the other, both with `REDIS_URL`. The reference: a bare
python-socketio server in threading mode (`bench/bare_socketio.py`) whose HTTP endpoint emits
a queue-shaped body of the same length; same gunicorn settings, same client, same timing.
"""

import argparse
import http.client
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from bench import dashboards, load, servers
from bench.document import publish
from bench.figures import command_block, machine, ms, verdict, versions

TARGETS = {"one process": 0.020, "two processes through Redis": 0.050}
# Between a sample's webhook and the departure that follows it, and between samples.
SPACING = 0.05


def connection(url: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)


def service_samples(webhook_url: str, dashboard_url: str, cookie: str, queue: int, samples: int, directory: Path) -> list[float]:
    callers = load.Callers(webhook_url, queue)
    load.send_all(webhook_url, callers.fill())
    sent: dict[str, float] = {}
    link = connection(webhook_url)
    with dashboards.connected(dashboard_url, [cookie], 1, directory) as watching:
        for _ in range(samples):
            arrival = callers.arrival()
            sent[arrival.call_sid] = time.time()
            assert load.send(webhook_url, arrival, link) == 200
            time.sleep(SPACING)
            assert load.send(webhook_url, callers.departure(), link) == 200
            time.sleep(SPACING)
        time.sleep(1)
        receipts, _, _ = watching.stop()
    return latencies(sent, receipts)


def bare_samples(emit_url: str, dashboard_url: str, samples: int, directory: Path) -> list[float]:
    sent: dict[str, float] = {}
    link = connection(emit_url)
    with dashboards.connected(dashboard_url, ["session=none"], 1, directory, snapshot_on_connect=False) as watching:
        for _ in range(samples):
            token = uuid.uuid4().hex
            sent["CA" + token] = time.time()
            link.request("POST", "/emit", f"token={token}", {"Content-Type": "application/x-www-form-urlencoded"})
            response = link.getresponse()
            response.read()
            assert response.status == 204
            time.sleep(2 * SPACING)
        time.sleep(1)
        receipts, _, _ = watching.stop()
    return latencies(sent, receipts)


def latencies(sent: dict[str, float], receipts: dict[str, list[float]]) -> list[float]:
    """One latency per sample; a sample whose event never came counts as infinitely late."""
    return [min(receipts[call_sid]) - at if receipts.get(call_sid) else float("inf") for call_sid, at in sent.items()]


def run(arguments, log) -> tuple[dict, dict]:
    directory = Path(tempfile.mkdtemp(prefix="helpline-bench-push-"))
    service, bare = {}, {}
    url, staff = servers.create_database(arguments.postgres, counselors=1, supervisors=1)
    cookie = servers.session_cookie(staff, staff.counselors[0])
    try:
        log("push: one process")
        port = servers.free_port()
        with servers.gunicorn(servers.SERVICE, servers.service_environment(url, port), directory) as one:
            service["one process"] = service_samples(one.base_url, one.base_url, cookie, arguments.queue, arguments.samples, directory)
        log("push: bare python-socketio, one process")
        port = servers.free_port()
        bare_environment = {"BARE_QUEUE_LENGTH": str(arguments.queue)}
        with servers.gunicorn(servers.BARE_SOCKETIO, servers.service_environment(url, port, **bare_environment), directory) as one:
            bare["one process"] = bare_samples(one.base_url, one.base_url, arguments.samples, directory)
        if not servers.redis_answers(arguments.redis):
            log(f"push: no Redis at {arguments.redis}; two processes not measured")
        else:
            log("push: two processes through Redis")
            first, second = servers.free_port(), servers.free_port()
            with servers.gunicorn(servers.SERVICE, servers.service_environment(url, first, redis_url=arguments.redis), directory) as a, \
                    servers.gunicorn(servers.SERVICE, servers.service_environment(url, second, redis_url=arguments.redis), directory) as b:
                service["two processes through Redis"] = service_samples(a.base_url, b.base_url, cookie, arguments.queue, arguments.samples, directory)
            log("push: bare python-socketio, two processes through Redis")
            first, second = servers.free_port(), servers.free_port()
            first_environment = servers.service_environment(url, first, redis_url=arguments.redis, **bare_environment)
            second_environment = servers.service_environment(url, second, redis_url=arguments.redis, **bare_environment)
            with servers.gunicorn(servers.BARE_SOCKETIO, first_environment, directory) as a, \
                    servers.gunicorn(servers.BARE_SOCKETIO, second_environment, directory) as b:
                bare["two processes through Redis"] = bare_samples(a.base_url, b.base_url, arguments.samples, directory)
        service["postgres"] = servers.server_version(arguments.postgres)
    finally:
        servers.drop_database(arguments.postgres)
    for name, values in {**{f"service, {k}": v for k, v in service.items() if k in TARGETS}, **{f"bare, {k}": v for k, v in bare.items()}}.items():
        log(f"  {name}: p50 {ms(load.percentile(values, 0.5))} ms, p99 {ms(load.percentile(values, 0.99))} ms")
    return service, bare


def write(arguments, service: dict, bare: dict) -> str:
    lines = [
        "## Webhook to dashboard",
        "",
        (
            "From sending a queue-changing webhook to a dashboard receiving the `queue` event that lists the new caller. "
            f"Each of {arguments.samples} samples: the time is noted, `POST /twilio/menu` queues a new caller (signed as the "
            "provider signs it), and a logged-in counselor's dashboard (python-socketio client over websocket, in a process "
            "of its own, the same clock) notes when the first `queue` event listing that caller arrives; then the caller "
            f"who has waited longest leaves (not timed), so {arguments.queue} callers wait throughout; "
            f"{SPACING * 1000:.0f} ms between webhooks. Two processes: the webhook goes to one gunicorn process, the dashboard "
            "is connected to the other, both with `REDIS_URL` (Redis on loopback). The reference, `bench/bare_socketio.py`: a "
            "bare python-socketio server in threading mode whose HTTP endpoint emits a queue-shaped body of the same length to "
            "every client, timed the same way with the same client. Every server runs `config/gunicorn.conf.py` (production "
            "settings; the service with `HELPLINE_ENV=production` on PostgreSQL)."
        ),
        "",
        "| | service p50 (ms) | service p99 (ms) | bare p50 (ms) | bare p99 (ms) | target (service p99) |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, target in TARGETS.items():
        if name not in service:
            lines.append(f"| {name} | not measured (no Redis) | | | | ≤ {target * 1000:g} ms |")
            continue
        p99 = load.percentile(service[name], 0.99)
        lines.append(
            f"| {name} | {ms(load.percentile(service[name], 0.5))} | {ms(p99)} | {ms(load.percentile(bare[name], 0.5))} | "
            f"{ms(load.percentile(bare[name], 0.99))} | ≤ {target * 1000:g} ms{verdict(p99 <= target)} |"
        )
    missing = sum(1 for values in (*service.values(), *bare.values()) if isinstance(values, list) for v in values if v == float("inf"))
    lines += [
        "",
        f"Events that never arrived: {missing}.",
        "",
        f"Machine: {machine()}. PostgreSQL {service['postgres']} (local, default settings); "
        f"{versions('gunicorn', 'Flask-SocketIO', 'python-socketio', 'python-engineio', 'simple-websocket', 'redis')}.",
        "",
        *command_block("PostgreSQL and Redis running locally"),
    ]
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    parser = servers.benchmark_parser(__doc__)
    parser.add_argument("--redis", default=servers.REDIS_URL, help=f"Redis for two processes (channel {servers.CHANNEL})")
    parser.add_argument("--samples", type=int, default=200, help="samples of each configuration")
    return parser


def main() -> None:
    arguments = parser().parse_args()
    servers.SERVICE_ROOT = arguments.service_root
    def log(line):
        return print(line, flush=True)
    service, bare = run(arguments, log)
    section = write(arguments, service, bare)
    publish("push", section, print_only=arguments.no_write)


if __name__ == "__main__":
    main()
