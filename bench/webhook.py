"""Benchmark 1a: the provider's webhooks under the production gunicorn settings on PostgreSQL,
beside two references for the same requests: a bare Flask endpoint answering fixed TwiML, and a
durable one that checks the signature, inserts the request as one row, commits and answers fixed
TwiML (the least any webhook that acknowledges only what is durable can cost).

    .venv/bin/python -m bench.webhook                  # one process, config/gunicorn.conf.py
    .venv/bin/python -m bench.webhook --processes 2    # as deployed: two behind nginx

Two workloads, each against each server. Incoming calls: `POST /twilio/voice`, a new call each
(signature check, the call recorded and committed, the greeting and menu answered). The
queue's changes: `POST /twilio/menu` with the caller's key (signature check, triage with the
caller's history, the journal and the call record written and committed, the queue pushed to
the connected dashboards and the wallboard, TwiML answered), alternating with
`POST /twilio/queue-result` for the caller who has waited longest (answered or hung up: the
same path, and a push too). So the queue holds the same number of callers all along, as a
busy evening's would, instead of growing by thousands. Ten counselor dashboards and a
supervisor's wallboard are connected to the service throughout, so every push is really made.

Figures: the closed loop (wrk, as fast as the server answers) gives the throughput and the
service's ratio to each reference; the open loop sends at a fixed rate (100 a second, the
latency target's) for a fixed time and times each request from when it was due.
"""

import argparse
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

import config
from bench import dashboards, durable_twiml, load, nginx, servers
from bench.document import publish
from bench.figures import ms
from bench.webhook_section import REFERENCES, WORKLOADS, section_name, write


def measure(
    base_url: str, make_hooks: Callable[[int], list[load.Webhook]], callers: load.Callers, started: list[servers.Server], *,
    connections: int, seconds: int, rate: float, open_seconds: int, log,
) -> dict:
    """One workload (`make_hooks(count)` gives its next webhooks) against one server: the closed
    loop after a warm-up, then the open loop."""
    log(f"    warm-up and closed loop ({connections} connections, {seconds} s)")
    warm = make_hooks(2000)
    result = load.wrk(base_url + "/", warm, connections=connections, seconds=2)
    callers.forget(warm[result.requests:])
    hooks = make_hooks(3000 * seconds)
    cpu_before = (sum(server.cpu_seconds() for server in started), servers.postgres_cpu_seconds())
    closed = load.wrk(base_url + "/", hooks, connections=connections, seconds=seconds)
    cpu_after = (sum(server.cpu_seconds() for server in started), servers.postgres_cpu_seconds())
    callers.forget(hooks[closed.requests:])
    log(f"      {closed.throughput:.0f} requests/s, p50 {closed.p50_ms:.1f} ms, p99 {closed.p99_ms:.1f} ms, {closed.errors} errors")
    log(f"    open loop ({rate:g} requests/s, {open_seconds} s)")
    sent = load.open_loop(base_url, make_hooks(int(rate * open_seconds)), rate)
    kinds = list(dict.fromkeys(s.kind for s in sent))
    latencies = {kind: [s.latency for s in sent if s.kind == kind] for kind in kinds}
    every = [s.latency for s in sent]
    figures = {
        "closed": closed,
        # CPU a request in the closed loop: the server's processes', and PostgreSQL's (every
        # backend of the local server, the benchmark's own database alone in use).
        "cpu_ms": (cpu_after[0] - cpu_before[0]) / closed.requests * 1000,
        "postgres_cpu_ms": (cpu_after[1] - cpu_before[1]) / closed.requests * 1000,
        "sent": len(sent),
        "failed": sum(1 for s in sent if s.status != 0 and not 200 <= s.status < 300),
        "given_up": sum(1 for s in sent if s.status == 0),
        "p50": load.percentile(every, 0.5),
        "p99": load.percentile(every, 0.99),
        "by_kind": {kind: (load.percentile(v, 0.5), load.percentile(v, 0.99)) for kind, v in latencies.items()},
    }
    log(f"      p50 {ms(figures['p50'])} ms, p99 {ms(figures['p99'])} ms, {figures['failed']} failed, {figures['given_up']} given up")
    return figures


def measure_each(base_url: str, callers: load.Callers, started: list[servers.Server], arguments, log) -> dict[str, dict]:
    """Both workloads against one server: incoming calls, then the queue-changing webhooks."""
    figures = {}
    for workload, make_hooks in (("voice", callers.incoming), ("queue", callers.stream)):
        log(f"  {WORKLOADS[workload]}")
        figures[workload] = measure(base_url, make_hooks, callers, started, connections=arguments.connections, seconds=arguments.seconds,
                                    rate=arguments.rate, open_seconds=arguments.open_seconds, log=log)
    return figures


@contextmanager
def serving(
    app_module: str, url: str, directory: Path, processes: int, root: Path | None = None, redis_url: str = servers.REDIS_URL
) -> Iterator[tuple[str, list[servers.Server]]]:
    """One gunicorn process on its own port (`config/gunicorn.conf.py` as it is); or, as
    `docs/deploy.md` deploys several, that many behind nginx with `config/nginx.conf`, sharing
    Redis. Run from `root` (the service's checkout unless given). Yields the URL the provider
    calls and the processes."""
    if processes == 1:
        port = servers.free_port()
        with servers.gunicorn(app_module, servers.service_environment(url, port), directory, root) as server:
            yield server.base_url, [server]
        return
    public_port, redirect_port = servers.free_port(), servers.free_port()
    public_url = f"http://127.0.0.1:{public_port}"
    with ExitStack() as stack:
        started = []
        for _ in range(processes):
            port = servers.free_port()
            environment = servers.service_environment(url, port, redis_url=redis_url, PUBLIC_BASE_URL=public_url)
            started.append(stack.enter_context(servers.gunicorn(app_module, environment, directory, root)))
        upstreams = [server.base_url.removeprefix("http://") for server in started]
        site = nginx.site(upstreams, public_port, redirect_port, directory / f"nginx-{public_port}.log")
        stack.enter_context(nginx.running(directory / f"nginx-{public_port}", site))
        servers.wait_until_healthy(public_url)
        yield public_url, started


def count(url: str, query: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(query)).scalar_one()
    finally:
        engine.dispose()


def run(arguments, log) -> tuple[dict[str, dict], dict]:
    """The service, then each reference, under both workloads: {server: {workload: figures}}."""
    directory = Path(tempfile.mkdtemp(prefix="helpline-bench-webhook-"))
    log("webhook: a database of its own, and its staff")
    url, staff = servers.create_database(arguments.postgres, counselors=arguments.dashboards, supervisors=1)
    how = "gunicorn, production settings" + (f", {arguments.processes} processes behind nginx" if arguments.processes > 1 else "")
    figures, extra = {}, {"load_began": os.getloadavg()[0]}
    try:
        log(f"webhook: the service ({how})")
        with serving(servers.SERVICE, url, directory, arguments.processes, redis_url=arguments.redis) as (base_url, started):
            callers = load.Callers(base_url, arguments.queue)
            load.send_all(base_url, callers.fill())
            cookies = [servers.session_cookie(staff, user) for user in staff.counselors + staff.supervisors]
            # The counselors' dashboards and the wallboard stay connected throughout, as on any
            # evening: incoming calls push nothing to them, the queue's changes push to all.
            with dashboards.connected(base_url, cookies, 1, directory) as watching:
                before = sum(server.cpu_seconds() for server in started)
                figures["service"] = measure_each(base_url, callers, started, arguments, log)
                extra["cpu"] = sum(server.cpu_seconds() for server in started) - before
                _receipts, extra["pushes"], extra["dashboard_failures"] = watching.stop()
        if extra["dashboard_failures"]:
            # Pushes to dashboards that never connected cost nothing: the figures would flatter the service.
            raise RuntimeError(f"{extra['dashboard_failures']} dashboards failed to connect")
        extra["calls"] = count(url, "SELECT count(*) FROM calls")
        extra["waiting_after"] = count(
            url, "SELECT count(*) FROM calls WHERE enqueued_at IS NOT NULL AND ended_at IS NULL AND queue_result_rank <= 1 AND counselor_id IS NULL"
        )
        for name, app_module in (("durable", servers.DURABLE_TWIML), ("bare", servers.BARE_TWIML)):
            log(f"webhook: the {REFERENCES[name]} ({how})")
            with serving(app_module, url, directory, arguments.processes, root=config.ROOT, redis_url=arguments.redis) as (base_url, started):
                reference_callers = load.Callers(base_url, arguments.queue)
                reference_callers.fill()
                figures[name] = measure_each(base_url, reference_callers, started, arguments, log)
        extra["durable_rows"] = count(url, f"SELECT count(*) FROM {durable_twiml.TABLE}")
        extra["postgres"] = servers.server_version(arguments.postgres)
        extra["load_ended"] = os.getloadavg()[0]
    finally:
        servers.drop_database(arguments.postgres)
    return figures, extra


def parser() -> argparse.ArgumentParser:
    parser = servers.benchmark_parser(__doc__)
    parser.add_argument("--dashboards", type=int, default=10, help="counselor dashboards connected (and a supervisor's wallboard)")
    parser.add_argument("--connections", type=int, default=16, help="wrk's connections")
    parser.add_argument("--seconds", type=int, default=10, help="each closed loop's duration")
    parser.add_argument("--rate", type=float, default=100, help="each open loop's requests per second")
    parser.add_argument("--open-seconds", type=int, default=20, help="each open loop's duration")
    parser.add_argument("--processes", type=int, default=1, help="gunicorn processes; more than one run behind nginx, as deployed")
    parser.add_argument("--redis", default=servers.REDIS_URL, help=f"Redis for several processes (channel {servers.CHANNEL})")
    return parser


def main() -> None:
    arguments = parser().parse_args()
    servers.SERVICE_ROOT = arguments.service_root

    def log(line):
        return print(line, flush=True)

    figures, extra = run(arguments, log)
    publish(section_name(arguments.processes), write(arguments, figures, extra), print_only=arguments.no_write)


if __name__ == "__main__":
    main()
