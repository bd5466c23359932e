"""Instructions one incoming-call webhook and one queue push cost, counted by valgrind.

    .venv/bin/python -m bench.instructions [--service-root OTHER_CHECKOUT]

CPU time moves by a third from run to run on a shared machine; the number of instructions the
interpreter runs for the same work does not, so a change's cost can be told from noise. Each
figure is the difference between two runs under `valgrind --tool=callgrind`, one doing the work
60 times and one 10 times, divided by 50: start-up and warm-up cancel out.

- webhook: the webhooks of `bench.webhook` (a caller's key, then the longest waiter leaving, 20
  callers waiting) through Flask's test client, each followed by its queue push, waited for;
- push: the queue push alone (version, snapshot of 20 waiting callers, available counselors,
  the emit), in an app context of its own as the push thread makes it;
- bare: the same webhooks answered by `bench.bare_twiml`, the bare Flask endpoint that 1a's
  throughput is measured against (its target: at least half the bare endpoint's).

On PostgreSQL with the production settings, a fresh database for each run. Needs valgrind.
Prints its figures; `docs/benchmarks.md` quotes them.
"""

import argparse
import os
import re
import subprocess
import sys

from bench import servers

FEW, MANY = 10, 60


def settle(live, app) -> None:
    """Wait for the pushes a webhook asked for: the app's own (older checkouts kept them in the module)."""
    if hasattr(live, "settle_pushes"):
        live.settle_pushes(app)
    else:
        live.queue_pushes.settle(), live.wallboard_pushes.settle()


def inner(kind: str, count: int, url: str, service_root: str) -> None:
    """The work itself, run under valgrind: the service imported from `service_root`."""
    sys.path.insert(0, service_root)
    from bench import load

    if kind == "bare":
        from bench.bare_twiml import app as bare

        client = bare.test_client()
        for hook in load.Callers("http://localhost", queue_length=20).stream(20 + count):
            client.post(hook.path, data=hook.body, headers=load.headers(hook))
        return

    from helpline import live
    from helpline.live import emit_queue

    app = servers.in_process_app(url)
    client = app.test_client()
    callers = load.Callers("http://localhost", queue_length=20)

    def send(hook: load.Webhook) -> None:
        if client.post(hook.path, data=hook.body, headers=load.headers(hook)).status_code >= 300:
            raise RuntimeError(f"{hook.kind} webhook refused")
        settle(live, app)

    for hook in callers.fill():
        send(hook)
    if kind == "webhook":
        for hook in callers.stream(20 + count):
            send(hook)
        return
    for _ in range(20 + count):
        with app.app_context():
            emit_queue()


def counted(kind: str, count: int, arguments) -> int:
    url, _staff = servers.create_database(arguments.postgres, counselors=2)
    command = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        sys.executable, "-m", "bench.instructions", "--inner", kind, str(count), url, arguments.service_root,
    ]
    run = subprocess.run(command, cwd=servers.config.ROOT, capture_output=True, text=True, env={**os.environ, "HELPLINE_ENV": "production"})
    found = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode != 0 or not found:
        raise RuntimeError(f"the {kind} run failed:\n{run.stderr[-3000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=servers.ADMIN_URL, help="the PostgreSQL server's admin URL")
    parser.add_argument("--service-root", default=str(servers.SERVICE_ROOT), help="count another checkout of the service")
    parser.add_argument("--inner", nargs=4, metavar=("KIND", "COUNT", "URL", "ROOT"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.inner:
        kind, count, url, root = arguments.inner
        inner(kind, int(count), url, root)
        return
    each = {}
    try:
        for kind in ("webhook", "push", "bare"):
            each[kind] = (counted(kind, MANY, arguments) - counted(kind, FEW, arguments)) / (MANY - FEW)
            print(f"{kind}: {each[kind] / 1e6:.2f} million instructions each", flush=True)
        print(f"a webhook with its push costs {each['webhook'] / each['bare']:.1f} times the bare endpoint's request")
    finally:
        servers.drop_database(arguments.postgres)


if __name__ == "__main__":
    main()
