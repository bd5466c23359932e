"""The soak: the fault flood at full size, 100,000 provider webhooks with duplicates, late and
malformed deliveries among them, over real HTTP to gunicorn, on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.soak [--events 100000] [--database sqlite|postgresql] [--print-only]

It runs tests/test_faults_events.py (which `make test` runs with 3,000) with
`HELPLINE_FAULT_EVENTS`, so the flood is checked as the test checks it: no valid webhook
refused, every malformed one refused, every acknowledged webhook journaled exactly once and every
call in its final state. PostgreSQL: a database of its own on the local server (dropped after).
Writes the `soak` section of docs/benchmarks.md; fails if the test fails.
"""

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

import config
from bench.document import publish

SOAK_DATABASE = "helpline_soak"
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
TEST = "tests/test_faults_events.py"


def run_flood(events: int, database_url: str | None) -> dict:
    """The flood test with `events` webhooks; its figures (or the failure's exit status)."""
    with tempfile.TemporaryDirectory() as scratch:
        summary = Path(scratch) / "summary.json"
        environment = {**os.environ, "HELPLINE_FAULT_EVENTS": str(events), "HELPLINE_FAULT_SUMMARY": str(summary)}
        environment.pop("TEST_DATABASE_URL", None)
        if database_url:
            environment["TEST_DATABASE_URL"] = database_url
        started = time.monotonic()
        # The flood alone may run for a quarter of an hour: no per-test timeout.
        command = [sys.executable, "-m", "pytest", "-q", "--timeout=0", TEST]
        result = subprocess.run(command, cwd=config.ROOT, env=environment)
        figures = json.loads(summary.read_text()) if summary.exists() else {}
        return {"passed": result.returncode == 0, "wall_seconds": round(time.monotonic() - started), **figures}


def postgres_database() -> tuple[str, str]:
    """A fresh database for the flood: its URL and the server's version."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {SOAK_DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {SOAK_DATABASE}")
        version = connection.execute("SHOW server_version").fetchone()[0]
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{SOAK_DATABASE}", f"PostgreSQL {version}"


def drop_postgres_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {SOAK_DATABASE} WITH (FORCE)")


def section(events: int, results: dict[str, dict], versions: dict[str, str]) -> str:
    lines = [
        "## Soak: the fault flood at full size",
        "",
        f"{events:,} webhooks asked for, through gunicorn as deployed (one worker), by the telephony emulator "
        "on the same two cores: at least 10 % duplicates, 10 % late (out-of-order) deliveries and 1 % malformed "
        "requests. Passed means every check of `tests/test_faults_events.py` held: no valid webhook refused, "
        "every malformed one refused, every acknowledged webhook journaled exactly once, every call in its final state.",
        "",
        "| database | result | requests | calls | duplicates | late | malformed | flood s | whole run s |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, figures in results.items():
        lines.append(
            f"| {name} ({versions[name]}) | {'passed' if figures['passed'] else '**failed**'} | "
            f"{figures.get('requests', 0):,} | {figures.get('calls', 0):,} | {figures.get('duplicates', 0):,} | "
            f"{figures.get('late_deliveries', 0):,} | {figures.get('malformed', 0):,} | "
            f"{figures.get('seconds', 0):,} | {figures['wall_seconds']:,} |"
        )
    lines += [
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}.",
        "",
        "Command (from the project root; PostgreSQL running locally):",
        "",
        "```sh",
        f".venv/bin/python -m bench.soak --events {events}",
        "```",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000, help="webhooks to send on each database")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), action="append", help="only this database (repeatable)")
    parser.add_argument("--print-only", action="store_true", help="print the section instead of writing docs/benchmarks.md")
    arguments = parser.parse_args()
    results, versions = {}, {}
    for name in arguments.database or ("sqlite", "postgresql"):
        print(f"== {name}: {arguments.events:,} webhooks", flush=True)
        if name == "postgresql":
            url, versions[name] = postgres_database()
            try:
                results[name] = run_flood(arguments.events, url)
            finally:
                drop_postgres_database()
        else:
            versions[name] = f"SQLite {sqlite3.sqlite_version}"
            results[name] = run_flood(arguments.events, None)
    publish("soak", section(arguments.events, results, versions), print_only=arguments.print_only)
    return 0 if all(figures["passed"] for figures in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
