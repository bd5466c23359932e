"""Run the benchmarks and write their figures to docs/benchmarks.md.

    .venv/bin/python -m bench                 # every benchmark
    .venv/bin/python -m bench webhook push    # some of them

Each runs as a process of its own, `python -m bench.NAME` (webhook, push and fanout with their
defaults; webhook-deployed is bench.webhook with `--processes 2`, behind nginx; reports with
`--calls 1000000`; soak with 100,000 webhooks on each database), one after another, and rewrites its own section of docs/benchmarks.md.
Needs PostgreSQL and Redis on loopback, `wrk` and nginx.
"""

import subprocess
import sys

import config

BENCHMARKS = {
    "webhook": ["bench.webhook"],
    "webhook-deployed": ["bench.webhook", "--processes", "2"],
    "push": ["bench.push"],
    "fanout": ["bench.fanout"],
    "reports": ["bench.reports", "--calls", "1000000"],
    "soak": ["bench.soak"],
}


def main(names: list[str]) -> int:
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark: {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    failed = []
    for name in names or list(BENCHMARKS):
        print(f"== {name}", flush=True)
        if subprocess.run([sys.executable, "-m", *BENCHMARKS[name]], cwd=config.ROOT).returncode != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
