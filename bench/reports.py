"""Time each report over a million generated calls, on SQLite and on PostgreSQL, and write the
figures to docs/benchmarks.md.

    .venv/bin/python -m bench.reports --calls 1000000 \
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

SQLite gets a new file (deleted afterwards unless --keep); PostgreSQL gets a database of its own,
`helpline_bench`, created through the server at --postgres and dropped afterwards (never the
tests' database). The schema comes from the migrations, so the indexes are the real ones. Each
report is run once to warm the caches, then --repeat times; the median is recorded.
"""

import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
from flask_migrate import upgrade
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

import config
from bench import bulk_load
from bench.calls_data import COUNSELORS, Plan, calls, presence_changes
from helpline import create_app
from helpline.db import db
from helpline.models import Call
from helpline.periods import Period
from helpline.reports import csv_export
from helpline.reports.breakdowns import by_category_outcome_risk, by_hour_and_weekday
from helpline.reports.counselors import per_counselor
from helpline.reports.summary import summarize
from helpline.reports.trend import daily

BENCH_DATABASE = "helpline_bench"
FIRST_DAY = date(2025, 1, 1)
DAYS = 365
PERIODS = {"one month": (date(2025, 6, 1), date(2025, 6, 30)), "one year": (date(2025, 1, 1), date(2025, 12, 31))}
THRESHOLDS = {"service_level_seconds": 20, "short_abandon_seconds": 5}
TARGETS = {"SQLite": 1.0, "PostgreSQL": 0.3}
# Reports a page or an API call runs; the export streams every call and has no target.
TIMED_REPORTS = ("summary", "counselors", "breakdown", "hours", "trend")


@dataclass
class Timing:
    report: str
    period: str
    seconds: float
    rows: int


def users() -> list[tuple]:
    created = datetime(2024, 12, 1, tzinfo=UTC)
    people = [(1, "supervisor", "x", "supervisor", True, created, "offline", created, "fa")]
    people += [(1 + n, f"counselor{n:02d}", "x", "counselor", True, created, "offline", created, "fa") for n in range(1, COUNSELORS + 1)]
    return people


def counselor_ids() -> list[int]:
    return [user[0] for user in users() if user[3] == "counselor"]


def one_row(report: dict) -> int:
    return 1


def reports_of(period: Period) -> dict[str, Callable[[], int]]:
    """Each report as a call that returns how many rows it gave."""
    start, end, now = period.start_utc, period.end_utc, datetime(2026, 1, 15, tzinfo=UTC)
    return {
        "summary": lambda: one_row(summarize(start, end, **THRESHOLDS)),
        "counselors": lambda: len(per_counselor(start, end, now=now)),
        "breakdown": lambda: len(by_category_outcome_risk(start, end)),
        "hours": lambda: len(by_hour_and_weekday(start, end, utc_offset_minutes=period.utc_offset_minutes, **THRESHOLDS)["cells"]),
        "trend": lambda: len(daily(period, **THRESHOLDS)),
        "calls.csv": lambda: sum(chunk.count("\r\n") for chunk in csv_export.csv_lines(csv_export.CALL_COLUMNS, csv_export.calls_in(period))) - 1,
    }


def time_reports(database_url: str, repeat: int, log: Callable[[str], None]) -> tuple[list[Timing], dict[str, int]]:
    app = create_app(bench_config(database_url))
    timings, offered = [], {}
    with app.app_context():
        for name, (first, last) in PERIODS.items():
            period = Period(first, last, 210)
            offered[name] = db.session.scalar(
                select(func.count()).select_from(Call).where(Call.enqueued_at >= period.start_utc, Call.enqueued_at < period.end_utc)
            )
            db.session.rollback()
            for report, run in reports_of(period).items():
                rows, runs = run(), []
                db.session.rollback()
                for _ in range(1 if report == "calls.csv" else repeat):
                    started = time.perf_counter()
                    rows = run()
                    runs.append(time.perf_counter() - started)
                    db.session.rollback()
                timings.append(Timing(report, name, statistics.median(runs), rows))
                log(f"  {report:<11} {name:<9} {statistics.median(runs):8.3f} s  {rows} rows")
        db.session.remove()
        db.engine.dispose()
    return timings, offered


# The app wants a spool directory; the benchmark never writes to it.
SPOOL_DIR = Path(tempfile.gettempdir()) / "helpline-bench-spool"


def bench_config(database_url: str):
    class Bench(config.TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    Bench.SPOOL_DIR = str(SPOOL_DIR)
    return Bench


# The calls are loaded before the rollups' migration, as on a centre that upgrades with a year
# of calls: it counts them as its triggers and presence listener would have (tests/
# test_reports_rollups.py checks that both give the same), and the figures say how long it took.
BEFORE_ROLLUPS = "d7d5761dddfa"


def migrate(database_url: str, revision: str = "head") -> float:
    started = time.perf_counter()
    app = create_app(bench_config(database_url))
    with app.app_context():
        upgrade(revision=revision)
        db.engine.dispose()
    return time.perf_counter() - started


def load(kind: str, target: str, plan: Plan, taxonomy, log) -> float:
    started = time.perf_counter()
    generated = calls(plan, taxonomy, counselor_ids())
    presence = presence_changes(plan, counselor_ids(), calls(plan, taxonomy, counselor_ids()))
    if kind == "sqlite":
        bulk_load.load_sqlite(target, users(), generated, presence)
    else:
        bulk_load.load_postgres(target, users(), generated, presence)
    elapsed = time.perf_counter() - started
    log(f"  loaded {plan.calls} calls in {elapsed:.0f} s")
    return elapsed


def add_rollups(kind: str, database_url: str, target: str, log) -> float:
    """The rollups' migration over the loaded rows, then statistics of the new tables."""
    elapsed = migrate(database_url)
    log(f"  rollups counted by their migration in {elapsed:.0f} s")
    if kind == "sqlite":
        bulk_load.analyze_sqlite(target)
    else:
        bulk_load.vacuum_postgres(target)
    return elapsed


def run_sqlite(path: Path, plan: Plan, taxonomy, repeat: int, log) -> tuple[list[Timing], dict, float]:
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    migrate(url, BEFORE_ROLLUPS)
    log(f"SQLite {sqlite3.sqlite_version}: {path}")
    load("sqlite", str(path), plan, taxonomy, log)
    backfill = add_rollups("sqlite", url, str(path), log)
    return (*time_reports(url, repeat, log), backfill)


def run_postgres(server_url: str, plan: Plan, taxonomy, repeat: int, keep: bool, log) -> tuple[list[Timing], dict, str, float]:
    server = make_url(server_url)
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    bench_url = server.set(database=BENCH_DATABASE)
    with psycopg.connect(admin, autocommit=True) as connection:
        version = connection.execute("SHOW server_version").fetchone()[0]
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    try:
        migrate(bench_url.render_as_string(hide_password=False), BEFORE_ROLLUPS)
        log(f"PostgreSQL {version}: database {BENCH_DATABASE}")
        psycopg_url = bench_url.set(drivername="postgresql").render_as_string(hide_password=False)
        load("postgres", psycopg_url, plan, taxonomy, log)
        backfill = add_rollups("postgres", bench_url.render_as_string(hide_password=False), psycopg_url, log)
        timings, offered = time_reports(bench_url.render_as_string(hide_password=False), repeat, log)
    finally:
        if not keep:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
    return timings, offered, version, backfill


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "unknown CPU")
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory_kb / 1024 / 1024:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def main() -> None:
    from bench.markdown import write_report
    from helpline.taxonomy import load as load_taxonomy

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="a server URL (its database is used only to create and drop helpline_bench)",
    )
    parser.add_argument("--sqlite", type=Path, default=Path(tempfile.gettempdir()) / "helpline-bench.db")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file and the PostgreSQL database")
    parser.add_argument("--output", type=Path, default=config.ROOT / "docs" / "benchmarks.md")
    arguments = parser.parse_args()

    plan = Plan(arguments.calls, FIRST_DAY, DAYS)
    taxonomy = load_taxonomy(config.ROOT / "config" / "taxonomy.toml")
    def log(line):
        return print(line, flush=True)
    sqlite_timings, offered, sqlite_backfill = run_sqlite(arguments.sqlite, plan, taxonomy, arguments.repeat, log)
    if not arguments.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{arguments.sqlite}{suffix}").unlink(missing_ok=True)
    postgres_timings, postgres_offered, postgres_version, postgres_backfill = run_postgres(
        arguments.postgres, plan, taxonomy, arguments.repeat, arguments.keep, log
    )
    assert offered == postgres_offered, (offered, postgres_offered)
    write_report(
        arguments.output,
        command=command_line(),
        machine=machine(),
        versions={"SQLite": sqlite3.sqlite_version, "PostgreSQL": postgres_version},
        plan=plan,
        offered=offered,
        sqlite=sqlite_timings,
        postgres=postgres_timings,
        targets=TARGETS,
        timed=TIMED_REPORTS,
        backfill={"SQLite": sqlite_backfill, "PostgreSQL": postgres_backfill},
    )
    shutil.rmtree(SPOOL_DIR, ignore_errors=True)
    log(f"wrote {arguments.output}")


def command_line() -> str:
    import sys

    return " ".join([".venv/bin/python -m bench.reports", *sys.argv[1:]])


if __name__ == "__main__":
    main()
