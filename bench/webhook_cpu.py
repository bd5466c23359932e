"""The incoming-call webhooks' CPU, one after another in one process: how much of the
interpreter each costs, without the load generator, the sockets or other requests in the way.

    .venv/bin/python -m bench.webhook_cpu

The same signed webhooks as `bench.webhook` (a caller's key, then the longest waiter leaving,
20 callers waiting), sent through Flask's test client to the service on PostgreSQL with the
production settings; after 1,000 to warm up, the process's CPU time over the next ones. No
dashboards are connected, so a push builds its snapshot and emits it to nobody. Prints its
figures; `docs/benchmarks.md` quotes them beside the live benchmarks.
"""

import argparse
import time

from bench import load, servers
from helpline.live import settle_pushes

WARM_UP = 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=servers.ADMIN_URL, help="the PostgreSQL server's admin URL")
    parser.add_argument("--webhooks", type=int, default=2000, help="webhooks timed after the warm-up")
    arguments = parser.parse_args()

    url, _staff = servers.create_database(arguments.postgres, counselors=2)
    try:
        app = servers.in_process_app(url)
        client = app.test_client()
        callers = load.Callers("http://localhost", queue_length=20)

        def send(hook: load.Webhook) -> None:
            response = client.post(hook.path, data=hook.body, headers=load.headers(hook))
            if response.status_code >= 300:
                raise RuntimeError(f"{hook.kind} webhook answered {response.status_code}")

        for hook in callers.fill():
            send(hook)
        hooks = callers.stream(WARM_UP + arguments.webhooks)
        for hook in hooks[:WARM_UP]:
            send(hook)
        cpu, wall = time.process_time(), time.perf_counter()
        for hook in hooks[WARM_UP:]:
            send(hook)
        # The pushes those webhooks asked for are made by threads of their own: count them too.
        settle_pushes(app)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        count = len(hooks) - WARM_UP
        print(f"{count} webhooks: {cpu / count * 1000:.2f} ms of CPU each, {wall / count * 1000:.2f} ms each end to end")
    finally:
        servers.drop_database(arguments.postgres)


if __name__ == "__main__":
    main()
