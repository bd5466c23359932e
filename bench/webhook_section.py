"""Benchmark 1a's section of docs/benchmarks.md: the service's ratios to both references against
the targets, then each workload's figures beside the references'."""

from bench import load
from bench.figures import command_block, machine, ms, verdict, versions

# The service's closed-loop throughput as a share of the durable reference's, for each workload.
TARGET_RATIOS = {"voice": 0.7, "queue": 0.35}
# The open loop's p99 for the service, at this rate.
TARGET_P99 = 0.025
TARGET_RATE = 100.0

WORKLOADS = {
    "voice": "incoming calls (`POST /twilio/voice`)",
    "queue": "the queue's changes (`POST /twilio/menu` and `/twilio/queue-result`), dashboards connected",
}
REFERENCES = {"durable": "durable reference", "bare": "bare Flask endpoint"}
KINDS = {"arrival": "… the key (`/twilio/menu`)", "departure": "… leaving (`/twilio/queue-result`)"}


def ratio(service: dict, reference: dict) -> float:
    """The service's closed-loop throughput as a share of a reference's."""
    return service["closed"].throughput / reference["closed"].throughput


def ratio_cell(value: float, target: float | None = None) -> str:
    if target is None:
        return f"{value:.2f} ×"
    return f"{value:.2f} × (target ≥ {target:g} ×){verdict(value >= target)}"


def p99_cell(p99: float, rate: float) -> str:
    """The service's open-loop p99, judged only at the rate the target names."""
    if rate != TARGET_RATE:
        return f"{ms(p99)} (the target, ≤ {TARGET_P99 * 1000:g} ms, is at {TARGET_RATE:g}/s)"
    return f"{ms(p99)} (target ≤ {TARGET_P99 * 1000:g} ms){verdict(p99 <= TARGET_P99)}"


def summary_rows(figures: dict[str, dict], rate: float, dashboards: int) -> list[tuple[str, ...]]:
    names = {"voice": "`POST /twilio/voice`", "queue": f"`POST /twilio/menu` + `/twilio/queue-result`, {dashboards} dashboards"}
    service, durable, bare = figures["service"], figures["durable"], figures["bare"]
    return [
        (names[workload], ratio_cell(ratio(service[workload], durable[workload]), TARGET_RATIOS[workload]),
         ratio_cell(ratio(service[workload], bare[workload])), p99_cell(service[workload]["p99"], rate))
        for workload in WORKLOADS
    ]


def detail_rows(figures: dict[str, dict], workload: str, rate: float) -> list[tuple[str, ...]]:
    """One workload: the service, the durable reference and the bare endpoint, side by side."""
    servers = [figures[name][workload] for name in ("service", "durable", "bare")]

    def row(label: str, cell) -> tuple[str, ...]:
        return (label, *(cell(each) for each in servers))

    rows = [
        row("throughput, closed loop (requests/s)", lambda f: f"{f['closed'].throughput:,.0f}"),
        row("closed loop p50 / p99 (ms)", lambda f: f"{f['closed'].p50_ms:.1f} / {f['closed'].p99_ms:.1f}"),
        row("closed loop CPU a request: the server's processes / PostgreSQL (ms)", lambda f: f"{f['cpu_ms']:.2f} / {f['postgres_cpu_ms']:.2f}"),
        row(f"open loop at {rate:g}/s: p50 / p99 (ms)", lambda f: f"{ms(f['p50'])} / {ms(f['p99'])}"),
    ]
    for kind, label in KINDS.items():
        if kind in servers[0]["by_kind"]:
            rows.append(row(f"{label} p50 / p99 (ms)", lambda f, kind=kind: " / ".join(ms(v) for v in f["by_kind"][kind])))
    rows += [
        row("errors (closed loop; open loop)", lambda f: f"{f['closed'].errors}; {f['failed']}"),
        row(f"open loop: not sent, still waiting {load.GIVE_UP_SECONDS} s after due", lambda f: f"{f['given_up']:,} of {f['sent']:,}"),
    ]
    return rows


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    return [
        f"| {' | '.join(header)} |",
        "| --- | " + " | ".join("---:" for _ in header[1:]) + " |",
        *(f"| {' | '.join(row)} |" for row in rows),
    ]


def servers_described(processes: int) -> str:
    if processes == 1:
        return (
            "Every server runs `config/gunicorn.conf.py` (production settings: one worker, gthread) on loopback: the "
            "service with `HELPLINE_ENV=production` on PostgreSQL (one process, no Redis)."
        )
    return (
        f"Every server runs as `docs/deploy.md` deploys the service: {processes} gunicorn processes, each with "
        "`config/gunicorn.conf.py` (one worker, gthread) on a port of its own, behind nginx with "
        "`config/nginx.conf` (one nginx worker; plain HTTP on loopback where the file has TLS), which takes "
        "turns between them; the service with `HELPLINE_ENV=production` on PostgreSQL, its processes sharing "
        "Redis, and the provider's URL that of nginx (`PUBLIC_BASE_URL`)."
    )


def section_name(processes: int) -> str:
    return "webhook" if processes == 1 else f"webhook-{processes}-processes"


def write(arguments, figures: dict[str, dict], extra: dict) -> str:
    rate = f"{arguments.rate:g}"
    lines = [
        "## Incoming-call webhooks" + (f", {arguments.processes} processes behind nginx" if arguments.processes > 1 else ""),
        "",
        (
            "Two workloads. Incoming calls: `POST /twilio/voice`, each a new call (signature check, the call recorded "
            "and committed, the greeting and menu answered). The queue's changes: the webhook that takes the caller's "
            "key, `POST /twilio/menu` (signature check, triage with the caller's history, journal and call record "
            "written and committed, the queue pushed to the dashboards and the wallboard, TwiML answered), alternating "
            "with `POST /twilio/queue-result` for the caller who has waited longest (3 in 4 answered, 1 in 4 hanging "
            f"up), so the queue stays at {arguments.queue} callers as arrivals and departures balance, as a busy "
            "evening's would. Each request is a real provider request: a form body signed with the twilio library's "
            "`RequestValidator` for the URL the server is reached at, a CallSid of its own. "
            f"{arguments.dashboards} counselor dashboards and a supervisor's wallboard are connected to the service over "
            f"websocket throughout both (they received {extra['pushes']:,} `queue` events in the run)."
        ),
        "",
        (
            f"{servers_described(arguments.processes)} Two references, for the same requests: the durable one, "
            "`bench/durable_twiml.py`, checks the signature with `RequestValidator`, inserts the request's parameters as "
            "one row (a table of its own, a pooled psycopg connection, the statement committed by the server as it ends, "
            "`synchronous_commit` on) and answers fixed TwiML: the least a webhook that acknowledges only what is durable "
            "can cost. The bare one, `bench/bare_twiml.py`, answers the fixed TwiML alone. Closed loop: `wrk` (one thread, "
            f"{arguments.connections} connections, {arguments.seconds} s after 2 s of warm-up) cycling through "
            f"pre-signed requests. Open loop: {rate} requests/s for {arguments.open_seconds} s from a paced Python sender "
            "(32 keep-alive connections), each request timed from when it was due, so queueing counts. Service CPU "
            f"over its four loops: {extra['cpu']:.1f} s."
        ),
        "",
        "The targets: the service's closed-loop throughput against the durable reference's (the bare endpoint's "
        "for information), and its open-loop p99.",
        "",
        *table(("webhook", "service ÷ durable reference", "service ÷ bare Flask", f"service's open-loop p99 at {rate}/s (ms)"),
               summary_rows(figures, arguments.rate, arguments.dashboards)),
    ]
    for workload, title in WORKLOADS.items():
        lines += [
            "",
            f"### {title[0].upper()}{title[1:]}",
            "",
            *table(("", "service", REFERENCES["durable"], REFERENCES["bare"]), detail_rows(figures, workload, arguments.rate)),
        ]
    lines += [
        "",
        (
            f"After the run: the service had recorded {extra['calls']:,} calls, {extra['waiting_after']} of them waiting "
            f"(the queue was {arguments.queue}: arrivals still on their way when `wrk` stops are not counted as sent, "
            "so their departures never come, and requests given up leave arrivals without their departures); the "
            f"durable reference had stored {extra['durable_rows']:,} rows, one a request it answered. "
            f"{extra['dashboard_failures']} dashboards failed to connect."
        ),
        "",
        f"Machine: {machine((extra['load_began'], extra['load_ended']))}. PostgreSQL {extra['postgres']} (local, default "
        f"settings); {versions('gunicorn', 'Flask', 'Flask-SocketIO', 'SQLAlchemy', 'psycopg', 'twilio')}.",
        "",
        *command_block("PostgreSQL running locally, `wrk` installed" + ("; Redis running, nginx installed" if arguments.processes > 1 else "")),
    ]
    return "\n".join(lines)
