"""docs/benchmarks.md from the timings of bench/reports.py."""

from pathlib import Path

from bench.document import replace_section


def seconds(value: float) -> str:
    return f"{value:.3f}"


def verdict(value: float, target: float) -> str:
    return "" if value <= target else " ⚠"


def write_report(path: Path, *, command, machine, versions, plan, offered, sqlite, postgres, targets, timed, backfill) -> None:
    postgres_by_key = {(timing.report, timing.period): timing for timing in postgres}
    lines = [
        "## Reports over a million calls",
        "",
        (
            f"{plan.calls:,} generated calls over {plan.days} days from {plan.first_day.isoformat()} "
            "(`bench/calls_data.py`: a 1480-style day and week, the menu's categories, ~3 % IVR drop-offs, ~14 % of "
            "queued callers hanging up, the counselor's log, 60 counselors and their presence history), "
            "loaded by `COPY` (PostgreSQL) and `executemany` (SQLite) into the schema the migrations build up to the "
            "reports' rollups; then the rollups' migration counts them (as its triggers and the presence listener would "
            f"have, as each call and change was written): {backfill['SQLite']:.0f} s on SQLite, "
            f"{backfill['PostgreSQL']:.0f} s on PostgreSQL; then `ANALYZE` (PostgreSQL: `VACUUM ANALYZE`). "
            f"Calls offered in the periods: one month (June) {offered['one month']:,}, one year {offered['one year']:,}."
        ),
        "",
        (
            "Each figure is the median of the timed runs after a warm-up run, of the report function as the API and "
            "the page call it (`helpline/reports/`), inside one app context; `rows` is how many rows the report gives "
            "(`calls.csv`: one run, every call streamed and written as CSV, no target: it is a download)."
        ),
        "",
        f"Targets: ≤ {targets['SQLite']:g} s on SQLite, ≤ {targets['PostgreSQL']:g} s on PostgreSQL; ⚠ marks a miss.",
        "",
        "| report | period | SQLite s | PostgreSQL s | rows |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for timing in sqlite:
        other = postgres_by_key[(timing.report, timing.period)]
        has_target = timing.report in timed
        lines.append(
            f"| {timing.report} | {timing.period} | {seconds(timing.seconds)}{verdict(timing.seconds, targets['SQLite']) if has_target else ''} "
            f"| {seconds(other.seconds)}{verdict(other.seconds, targets['PostgreSQL']) if has_target else ''} | {timing.rows:,} |"
        )
    for period in dict.fromkeys(timing.period for timing in sqlite):
        lite = sum(t.seconds for t in sqlite if t.period == period and t.report in timed)
        post = sum(t.seconds for t in postgres if t.period == period and t.report in timed)
        lines.append(f"| the `/reports` page's five reports together | {period} | {seconds(lite)} | {seconds(post)} | |")
    lines += [
        "",
        f"Machine: {machine}. SQLite {versions['SQLite']} (a file, WAL), PostgreSQL {versions['PostgreSQL']} (local, default settings).",
        "",
        "Command (from the project root; PostgreSQL running locally):",
        "",
        "```sh",
        command,
        "```",
        "",
    ]
    replace_section("reports", "\n".join(lines), path)
