"""Benchmark 1a: the webhooks that move callers into and out of the queue, under the production
gunicorn settings on PostgreSQL, beside a bare Flask endpoint answering fixed TwiML.

    .venv/bin/python -m bench.webhook                  # one process, config/gunicorn.conf.py
    .venv/bin/python -m bench.webhook --processes 2    # as deployed: two behind nginx

What is measured: `POST /twilio/menu` with the caller's key (signature check, triage with the
caller's history, the journal and the call record written and committed, the queue pushed to
the connected dashboards and the wallboard, TwiML answered), alternating with
`POST /twilio/queue-result` for the caller who has waited longest (answered or hung up: the
same path, and a push too). So the queue holds the same number of callers all along, as a
busy evening's would, instead of growing by thousands. Counselor dashboards and a supervisor's
wallboard are connected throughout, so every push is really made.

Figures: the closed loop (wrk, as fast as the server answers) gives the throughput; the open
loop sends at a fixed rate for a fixed time and times each request from when it was due.
"""

import argparse
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from bench import dashboards, load, nginx, servers
from bench.document import publish
from bench.figures import command_block, machine, ms, verdict, versions

TARGET_RATIO = 0.5
TARGET_P99 = 0.025


def measure(
    base_url: str, callers: load.Callers, started: list[servers.Server], *, connections: int, seconds: int, rate: float, open_seconds: int, log
) -> dict:
    log(f"  warm-up and closed loop ({connections} connections, {seconds} s)")
    warm = callers.stream(2000)
    result = load.wrk(base_url + "/twilio/menu", warm, connections=connections, seconds=2)
    callers.forget(warm[result.requests:])
    hooks = callers.stream(3000 * seconds)
    cpu_before = (sum(server.cpu_seconds() for server in started), servers.postgres_cpu_seconds())
    closed = load.wrk(base_url + "/twilio/menu", hooks, connections=connections, seconds=seconds)
    cpu_after = (sum(server.cpu_seconds() for server in started), servers.postgres_cpu_seconds())
    callers.forget(hooks[closed.requests:])
    log(f"    {closed.throughput:.0f} requests/s, p50 {closed.p50_ms:.1f} ms, p99 {closed.p99_ms:.1f} ms, {closed.errors} errors")
    log(f"  open loop ({rate:g} requests/s, {open_seconds} s)")
    sent = load.open_loop(base_url, callers.stream(int(rate * open_seconds)), rate)
    latencies = {kind: [s.latency for s in sent if s.kind == kind] for kind in ("arrival", "departure")}
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
    log(f"    p50 {ms(figures['p50'])} ms, p99 {ms(figures['p99'])} ms, {figures['failed']} failed, {figures['given_up']} given up")
    return figures


@contextmanager
def serving(app_module: str, url: str, directory: Path, processes: int) -> Iterator[tuple[str, list[servers.Server]]]:
    """One gunicorn process on its own port (`config/gunicorn.conf.py` as it is); or, as
    `docs/deploy.md` deploys several, that many behind nginx with `config/nginx.conf`, sharing
    Redis. Yields the URL the provider calls and the processes."""
    if processes == 1:
        port = servers.free_port()
        with servers.gunicorn(app_module, servers.service_environment(url, port), directory) as server:
            yield server.base_url, [server]
        return
    public_port, redirect_port = servers.free_port(), servers.free_port()
    public_url = f"http://127.0.0.1:{public_port}"
    with ExitStack() as stack:
        started = []
        for _ in range(processes):
            port = servers.free_port()
            environment = servers.service_environment(url, port, redis_url=servers.REDIS_URL, PUBLIC_BASE_URL=public_url)
            started.append(stack.enter_context(servers.gunicorn(app_module, environment, directory)))
        upstreams = [server.base_url.removeprefix("http://") for server in started]
        site = nginx.site(upstreams, public_port, redirect_port, directory / f"nginx-{public_port}.log")
        stack.enter_context(nginx.running(directory / f"nginx-{public_port}", site))
        servers.wait_until_healthy(public_url)
        yield public_url, started


def run(arguments, log) -> tuple[dict, dict, dict]:
    directory = Path(tempfile.mkdtemp(prefix="helpline-bench-webhook-"))
    log("webhook: a database of its own, and its staff")
    url, staff = servers.create_database(arguments.postgres, counselors=arguments.dashboards, supervisors=1)
    how = "gunicorn, production settings" + (f", {arguments.processes} processes behind nginx" if arguments.processes > 1 else "")
    try:
        log(f"webhook: the service ({how})")
        with serving(servers.SERVICE, url, directory, arguments.processes) as (base_url, started):
            callers = load.Callers(base_url, arguments.queue)
            load.send_all(base_url, callers.fill())
            cookies = [servers.session_cookie(staff, user) for user in staff.counselors + staff.supervisors]
            with dashboards.connected(base_url, cookies, 1, directory) as watching:
                before = sum(server.cpu_seconds() for server in started)
                service = measure(base_url, callers, started, connections=arguments.connections, seconds=arguments.seconds,
                                  rate=arguments.rate, open_seconds=arguments.open_seconds, log=log)
                service["cpu"] = sum(server.cpu_seconds() for server in started) - before
                receipts, events, failed = watching.stop()
            service["pushes"] = events
            service["dashboard_failures"] = failed
            engine = create_engine(url)
            with engine.connect() as connection:
                service["calls"] = connection.execute(text("SELECT count(*) FROM calls")).scalar_one()
                service["waiting_after"] = connection.execute(
                    text("SELECT count(*) FROM calls WHERE enqueued_at IS NOT NULL AND ended_at IS NULL AND queue_result_rank <= 1 AND counselor_id IS NULL")
                ).scalar_one()
            engine.dispose()
        log(f"webhook: the bare Flask endpoint ({how})")
        with serving(servers.BARE_TWIML, url, directory, arguments.processes) as (base_url, started):
            bare_callers = load.Callers(base_url, arguments.queue)
            bare_callers.fill()
            bare = measure(base_url, bare_callers, started, connections=arguments.connections, seconds=arguments.seconds,
                           rate=arguments.rate, open_seconds=arguments.open_seconds, log=log)
        postgres = servers.server_version(arguments.postgres)
    finally:
        servers.drop_database(arguments.postgres)
    return service, bare, {"postgres": postgres}


def servers_described(processes: int) -> str:
    if processes == 1:
        return (
            "Both servers run `config/gunicorn.conf.py` (production settings: one worker, gthread) on loopback: the "
            "service with `HELPLINE_ENV=production` on PostgreSQL (one process, no Redis)."
        )
    return (
        f"Both servers run as `docs/deploy.md` deploys the service: {processes} gunicorn processes, each with "
        "`config/gunicorn.conf.py` (one worker, gthread) on a port of its own, behind nginx with "
        "`config/nginx.conf` (one nginx worker; plain HTTP on loopback where the file has TLS), which takes "
        "turns between them; the service with `HELPLINE_ENV=production` on PostgreSQL, its processes sharing "
        "Redis, and the provider's URL that of nginx (`PUBLIC_BASE_URL`)."
    )


def section_name(processes: int) -> str:
    return "webhook" if processes == 1 else f"webhook-{processes}-processes"


def write(arguments, service: dict, bare: dict, extra: dict) -> str:
    ratio = service["closed"].throughput / bare["closed"].throughput
    rate = f"{arguments.rate:g}"
    rows = [
        ("throughput, closed loop (requests/s)", f"{service['closed'].throughput:,.0f}", f"{bare['closed'].throughput:,.0f}",
         f"≥ {TARGET_RATIO:g} × bare: {ratio:.2f} ×{verdict(ratio >= TARGET_RATIO)}"),
        ("closed loop p50 / p99 (ms)", f"{service['closed'].p50_ms:.1f} / {service['closed'].p99_ms:.1f}",
         f"{bare['closed'].p50_ms:.1f} / {bare['closed'].p99_ms:.1f}", ""),
        ("closed loop CPU a request: the server's processes / PostgreSQL (ms)",
         f"{service['cpu_ms']:.2f} / {service['postgres_cpu_ms']:.2f}", f"{bare['cpu_ms']:.2f} / {bare['postgres_cpu_ms']:.2f}", ""),
        (f"open loop at {rate}/s: p50 (ms)", ms(service["p50"]), ms(bare["p50"]), ""),
        (f"open loop at {rate}/s: p99 (ms)", ms(service["p99"]), ms(bare["p99"]),
         f"≤ {TARGET_P99 * 1000:g} ms{verdict(service['p99'] <= TARGET_P99)}"),
        ("… the key (`/twilio/menu`) p50 / p99 (ms)", " / ".join(ms(v) for v in service["by_kind"]["arrival"]),
         " / ".join(ms(v) for v in bare["by_kind"]["arrival"]), ""),
        ("… leaving (`/twilio/queue-result`) p50 / p99 (ms)", " / ".join(ms(v) for v in service["by_kind"]["departure"]),
         " / ".join(ms(v) for v in bare["by_kind"]["departure"]), ""),
        ("errors (closed loop; open loop)", f"{service['closed'].errors}; {service['failed']}", f"{bare['closed'].errors}; {bare['failed']}", "none"),
        (f"open loop: not sent, still waiting {load.GIVE_UP_SECONDS} s after due", f"{service['given_up']:,} of {service['sent']:,}",
         f"{bare['given_up']:,} of {bare['sent']:,}", "none"),
    ]
    lines = [
        "## Incoming-call webhooks" + (f", {arguments.processes} processes behind nginx" if arguments.processes > 1 else ""),
        "",
        (
            "The webhook that takes the caller's key, `POST /twilio/menu` (signature check, triage with the caller's "
            "history, journal and call record written and committed, the queue pushed to the dashboards and the "
            "wallboard, TwiML answered), alternating with `POST /twilio/queue-result` for the caller who has waited "
            f"longest (3 in 4 answered, 1 in 4 hanging up), so the queue stays at {arguments.queue} callers as arrivals "
            "and departures balance, as a busy evening's would. Each request is a real provider request: a form body "
            "signed with the twilio library's `RequestValidator` for the URL the service is reached at, a CallSid of its "
            f"own. {arguments.dashboards} counselor dashboards and a supervisor's wallboard are connected over websocket "
            f"throughout (they received {service['pushes']:,} `queue` events in the run)."
        ),
        "",
        (
            f"{servers_described(arguments.processes)} The reference, "
            f"`bench/bare_twiml.py`, is a bare Flask endpoint answering a fixed TwiML string, for the same requests. "
            f"Closed loop: `wrk` (one thread, {arguments.connections} connections, {arguments.seconds} s after 2 s of "
            f"warm-up) cycling through pre-signed requests. Open loop: {arguments.rate:g} requests/s (half keys, half "
            f"departures) for {arguments.open_seconds} s from a paced Python sender (32 keep-alive connections), each "
            "request timed from when it was due, so queueing counts. Service CPU over both loops: "
            f"{service['cpu']:.1f} s."
        ),
        "",
        "| | service | bare Flask | target |",
        "| --- | ---: | ---: | --- |",
        *(f"| {' | '.join(row)} |" for row in rows),
        "",
        (
            f"After the run: {service['calls']:,} calls recorded, {service['waiting_after']} waiting "
            f"(the queue was {arguments.queue}; requests given up leave arrivals without their departures)."
        ),
        "",
        f"Machine: {machine()}. PostgreSQL {extra['postgres']} (local, default settings); "
        f"{versions('gunicorn', 'Flask', 'Flask-SocketIO', 'SQLAlchemy', 'psycopg')}.",
        "",
        *command_block("PostgreSQL running locally, `wrk` installed" + ("; Redis running, nginx installed" if arguments.processes > 1 else "")),
    ]
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    parser = servers.benchmark_parser(__doc__)
    parser.add_argument("--dashboards", type=int, default=10, help="counselor dashboards connected")
    parser.add_argument("--connections", type=int, default=16, help="wrk's connections")
    parser.add_argument("--seconds", type=int, default=10, help="the closed loop's duration")
    parser.add_argument("--rate", type=float, default=200, help="the open loop's requests per second")
    parser.add_argument("--open-seconds", type=int, default=20, help="the open loop's duration")
    parser.add_argument("--processes", type=int, default=1, help="gunicorn processes; more than one run behind nginx, as deployed")
    return parser


def main() -> None:
    arguments = parser().parse_args()
    servers.SERVICE_ROOT = arguments.service_root
    def log(line):
        return print(line, flush=True)
    service, bare, extra = run(arguments, log)
    section = write(arguments, service, bare, extra)
    publish(section_name(arguments.processes), section, print_only=arguments.no_write)


if __name__ == "__main__":
    main()
