"""Benchmark 1c: one queue change reaching 1,000 connected dashboards.

    .venv/bin/python -m bench.fanout

1,000 counselors, each logged in with a dashboard open (python-socketio clients over websocket,
spread over several processes so the measuring side is not one process's GIL), are connected to
one gunicorn process run with the production settings as they are (`config/gunicorn.conf.py`,
nothing overridden). Each change queues a new caller (`POST /twilio/menu`, signed); every
dashboard notes when the first `queue` event listing that caller arrives. Between changes the
caller who has waited longest leaves (not timed), so the queue keeps its length.
"""

import argparse
import tempfile
import time
from pathlib import Path

from bench import dashboards, load, servers
from bench.document import publish
from bench.figures import command_block, machine, ms, verdict, versions

TARGET_P99 = 0.250
# After each change: time for every dashboard to have it, before the next.
SETTLE_SECONDS = 2.0


def run(arguments, log) -> dict:
    directory = Path(tempfile.mkdtemp(prefix="helpline-bench-fanout-"))
    log(f"fanout: a database with {arguments.dashboards} counselors")
    url, staff = servers.create_database(arguments.postgres, counselors=arguments.dashboards, supervisors=0)
    figures: dict = {}
    try:
        port = servers.free_port()
        with servers.gunicorn(servers.SERVICE, servers.service_environment(url, port), directory) as server:
            callers = load.Callers(server.base_url, arguments.queue)
            load.send_all(server.base_url, callers.fill())
            cookies = [servers.session_cookie(staff, user) for user in staff.counselors]
            log(f"fanout: connecting {len(cookies)} dashboards from {arguments.processes} processes")
            started = time.monotonic()
            with dashboards.connected(server.base_url, cookies, arguments.processes, directory) as watching:
                figures["connect_seconds"] = time.monotonic() - started
                sent: dict[str, float] = {}
                cpu_before = server.cpu_seconds()
                for _ in range(arguments.changes):
                    arrival = callers.arrival()
                    sent[arrival.call_sid] = time.time()
                    assert load.send(server.base_url, arrival) == 200
                    time.sleep(SETTLE_SECONDS / 2)
                    assert load.send(server.base_url, callers.departure()) == 200
                    time.sleep(SETTLE_SECONDS / 2)
                time.sleep(2)
                figures["cpu_seconds"] = server.cpu_seconds() - cpu_before
                receipts, _, failed = watching.stop()
        figures["failed"] = failed
        figures["connected"] = arguments.dashboards - failed
        per_change = []
        every: list[float] = []
        for call_sid, at in sent.items():
            latencies = [t - at for t in receipts.get(call_sid, [])]
            per_change.append((len(latencies), load.percentile(latencies, 0.5), load.percentile(latencies, 0.99), max(latencies, default=float("nan"))))
            every.extend(latencies)
        figures["per_change"] = per_change
        figures["receipts"] = len(every)
        figures["expected"] = len(sent) * figures["connected"]
        figures["p50"], figures["p99"] = load.percentile(every, 0.5), load.percentile(every, 0.99)
        figures["max"] = max(every, default=float("nan"))
        figures["postgres"] = servers.server_version(arguments.postgres)
    finally:
        servers.drop_database(arguments.postgres)
    log(f"  {figures['receipts']:,} of {figures['expected']:,} receipts: p50 {ms(figures['p50'])} ms, p99 {ms(figures['p99'])} ms, max {ms(figures['max'])} ms")
    return figures


def write(arguments, figures: dict) -> str:
    threads, connections = gunicorn_settings()
    lines = [
        "## One queue change to 1,000 dashboards",
        "",
        (
            f"{arguments.dashboards:,} counselors, each logged in with a dashboard open (python-socketio clients over "
            f"websocket, in {arguments.processes} processes so the measuring side has more than one interpreter), connected "
            f"to one gunicorn process run with `config/gunicorn.conf.py` as it is (production settings: {threads} threads, "
            f"{connections} worker connections; the service with `HELPLINE_ENV=production` on PostgreSQL). "
            f"{arguments.changes} changes, {SETTLE_SECONDS:g} s apart: each queues a new caller (`POST /twilio/menu`, "
            "signed) and every dashboard notes when the first `queue` event listing that caller arrives (the same clock); "
            f"between changes the caller who has waited longest leaves, so {arguments.queue} callers wait throughout. "
            f"Connecting the dashboards took {figures['connect_seconds']:.1f} s ({figures['failed']} failed)."
        ),
        "",
        "| | receipts | p50 (ms) | p99 (ms) | max (ms) | target |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
        (
            f"| every change | {figures['receipts']:,} of {figures['expected']:,} | {ms(figures['p50'])} | {ms(figures['p99'])} | "
            f"{ms(figures['max'])} | p99 ≤ {TARGET_P99 * 1000:g} ms{verdict(figures['p99'] <= TARGET_P99 and figures['receipts'] == figures['expected'])} |"
        ),
    ]
    for number, (count, p50, p99, worst) in enumerate(figures["per_change"], start=1):
        lines.append(f"| change {number} | {count:,} | {ms(p50)} | {ms(p99)} | {ms(worst)} | |")
    lines += [
        "",
        f"Service CPU over the changes: {figures['cpu_seconds']:.1f} s "
        f"({figures['cpu_seconds'] / max(1, len(figures['per_change'])) * 1000:.0f} ms a change, the pings of idle sockets included).",
        "",
        f"Machine: {machine()}. PostgreSQL {figures['postgres']} (local, default settings); "
        f"{versions('gunicorn', 'Flask-SocketIO', 'python-socketio', 'python-engineio', 'simple-websocket')}.",
        "",
        *command_block("PostgreSQL running locally"),
    ]
    return "\n".join(lines)


def gunicorn_settings() -> tuple[int, int]:
    """Threads and worker connections that config/gunicorn.conf.py gives the service."""
    from gunicorn.config import Config

    settings = Config()
    namespace: dict = {"__file__": str(servers.SERVICE_ROOT / "config" / "gunicorn.conf.py")}
    exec(compile((servers.SERVICE_ROOT / "config" / "gunicorn.conf.py").read_text(), namespace["__file__"], "exec"), namespace)
    for name in ("threads", "worker_connections"):
        if name in namespace:
            settings.set(name, namespace[name])
    return settings.threads, settings.worker_connections


def parser() -> argparse.ArgumentParser:
    parser = servers.benchmark_parser(__doc__)
    parser.add_argument("--dashboards", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=4, help="processes the dashboards are spread over")
    parser.add_argument("--changes", type=int, default=10)
    return parser


def main() -> None:
    arguments = parser().parse_args()
    servers.SERVICE_ROOT = arguments.service_root
    def log(line):
        return print(line, flush=True)
    figures = run(arguments, log)
    section = write(arguments, figures)
    publish("fanout", section, print_only=arguments.no_write)


if __name__ == "__main__":
    main()
