"""reports' rollups: calls per local day (and hour), category mentions, counselors' days, presence days

Revision ID: 29e628f87f7e
Revises: d7d5761dddfa
Create Date: 2026-11-28 16:40:00.000000

The call rollups are kept by triggers, so that every writer of a call (the webhooks' upserts,
the spool's replay, the counselor's log, taking a caller) keeps them right inside its own
transaction, under the row lock that already orders concurrent writes of one call: an insert
counts the call, an update takes the old row's counts away and adds the new row's. A delete
takes nothing away: the sums outlive purged calls. Existing rows are counted here, the same
way. `presence_days` is kept by helpline.reports.rollups and filled here from the history.

On SQLite the triggers add into the sums themselves: its writers take turns anyway. On
PostgreSQL every webhook would add into the same few rows (today, this month), so concurrent
webhooks would wait on each other's row locks until commit, and speculative inserts of new keys
in different orders deadlock. There the trigger function inserts the same signed counts into
append-only `<sums>_delta` tables (same columns, no key, no ON CONFLICT: plain inserts never wait
on each other), which helpline.reports.rollups folds into the sums and adds to them when read.
The delta tables exist on SQLite too, empty, so that both schemas are the same.
"""
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from alembic import op
from flask import current_app

import helpline.db

# revision identifiers, used by Alembic.
revision = '29e628f87f7e'
down_revision = 'd7d5761dddfa'
branch_labels = None
depends_on = None

STAFFED_STATES = ("available", "on_call", "wrap_up")
# A change of any of these moves a call between rollup rows.
COUNTED_COLUMNS = (
    "enqueued_at", "answered_at", "abandoned", "wait_seconds", "emergency", "repeat_caller", "category",
    "categories", "outcome", "risk_level", "counselor_id", "talk_seconds", "wrap_up_seconds",
)  # fmt: skip

# The local day and hour of `c.enqueued_at`, with `m` the settings row; `s.span` is "day" or
# "month": every call is counted in a row of its day and in a row of its month (keyed by the
# month's first day, or for `call_hours` by the day of the month's first week with the same
# weekday), so that the whole months of a long period are read from a twelfth of the rows.
SPANS = "(SELECT 'day' AS span UNION ALL SELECT 'month' AS span) AS s"
DELTA_TABLES = ("call_days_delta", "call_hours_delta", "call_category_days_delta", "counselor_days_delta")
# On PostgreSQL each is partitioned by span.
SPAN_TABLES = ("call_days", "call_hours", "call_category_days")
LOCAL = {
    "sqlite": {
        "settings": "(SELECT printf('%+d minutes', utc_offset_minutes) AS modifier FROM report_rollup_settings) AS m",
        "day": "date(c.enqueued_at, m.modifier)",
        "month": "date(c.enqueued_at, m.modifier, 'start of month')",
        "weekday_in_month": (
            "date(c.enqueued_at, m.modifier, 'start of month', "
            "'+' || ((CAST(strftime('%d', c.enqueued_at, m.modifier) AS INTEGER) - 1) % 7) || ' days')"
        ),
        "hour": "CAST(strftime('%H', c.enqueued_at, m.modifier) AS INTEGER)",
        "keys": (
            "json_each(CASE WHEN json_type(c.categories) = 'array' AND json_array_length(c.categories) > 0 "
            "THEN c.categories ELSE json_array(c.category) END) AS k"
        ),
    },
    "postgresql": {
        "settings": "report_rollup_settings AS m",
        "day": "CAST((c.enqueued_at AT TIME ZONE 'UTC') + make_interval(mins => m.utc_offset_minutes) AS date)",
        "month": "CAST(date_trunc('month', (c.enqueued_at AT TIME ZONE 'UTC') + make_interval(mins => m.utc_offset_minutes)) AS date)",
        "weekday_in_month": (
            "CAST(date_trunc('month', (c.enqueued_at AT TIME ZONE 'UTC') + make_interval(mins => m.utc_offset_minutes)) AS date) "
            "+ (CAST(extract(day FROM (c.enqueued_at AT TIME ZONE 'UTC') + make_interval(mins => m.utc_offset_minutes)) AS integer) - 1) % 7"
        ),
        "hour": "CAST(extract(hour FROM (c.enqueued_at AT TIME ZONE 'UTC') + make_interval(mins => m.utc_offset_minutes)) AS integer)",
        "keys": (
            "json_array_elements_text(CASE WHEN json_typeof(c.categories) = 'array' AND json_array_length("
            "CASE WHEN json_typeof(c.categories) = 'array' THEN c.categories ELSE '[]'::json END) > 0 "
            "THEN c.categories ELSE json_build_array(c.category) END) AS k(value)"
        ),
    },
}


def counting_statements(dialect: str, calls_from: str, sign: str, row: str = "c", *, into_deltas: bool = False) -> list[str]:
    """The upserts that count the calls `row` (one row in a trigger, the table `c` in the
    backfill) with the weight `sign` (1, -1, or the trigger function's argument); with
    `into_deltas`, plain inserts of the same counts into the sums' delta tables instead."""
    local = {name: text.replace("c.", f"{row}.") for name, text in LOCAL[dialect].items()}
    day_or_month = f"CASE s.span WHEN 'day' THEN {local['day']} ELSE {local['month']} END"
    day_or_weekday_in_month = f"CASE s.span WHEN 'day' THEN {local['day']} ELSE {local['weekday_in_month']} END"

    def flag(condition: str) -> str:
        return f"sum(CASE WHEN {condition} THEN {sign} ELSE 0 END)"

    statements = [
        f"""INSERT INTO call_days (span, day, emergency, answered, abandoned, wait_seconds, calls, repeat_callers)
        SELECT s.span, {day_or_month}, {row}.emergency, {row}.answered_at IS NOT NULL, {row}.abandoned,
               coalesce({row}.wait_seconds, -1), sum({sign}), {flag(f'{row}.repeat_caller')}
        FROM {calls_from}{local['settings']}, {SPANS}
        WHERE {row}.enqueued_at IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (span, day, emergency, answered, abandoned, wait_seconds) DO UPDATE
        SET calls = call_days.calls + excluded.calls, repeat_callers = call_days.repeat_callers + excluded.repeat_callers""",
        f"""INSERT INTO call_hours (span, day, hour, answered, abandoned, wait_seconds, calls)
        SELECT s.span, {day_or_weekday_in_month}, {local['hour']}, {row}.answered_at IS NOT NULL, {row}.abandoned,
               coalesce({row}.wait_seconds, -1), sum({sign})
        FROM {calls_from}{local['settings']}, {SPANS}
        WHERE {row}.enqueued_at IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (span, day, hour, answered, abandoned, wait_seconds) DO UPDATE
        SET calls = call_hours.calls + excluded.calls""",
        f"""INSERT INTO call_category_days (span, day, category, outcome, risk_level, calls)
        SELECT s.span, {day_or_month}, coalesce(k.value, ''), coalesce({row}.outcome, ''), coalesce({row}.risk_level, ''), sum({sign})
        FROM {calls_from}{local['settings']}, {SPANS}, {local['keys']}
        WHERE {row}.enqueued_at IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT (span, day, category, outcome, risk_level) DO UPDATE
        SET calls = call_category_days.calls + excluded.calls""",
        f"""INSERT INTO counselor_days (day, counselor_id, handled, talk_seconds, wrap_up_seconds, wrap_ups,
                                        handle_seconds, timed_calls, wait_seconds, waits)
        SELECT {local['day']}, coalesce({row}.counselor_id, 0), sum({sign}),
               sum({sign} * coalesce({row}.talk_seconds, 0)), sum({sign} * coalesce({row}.wrap_up_seconds, 0)),
               {flag(f'{row}.wrap_up_seconds IS NOT NULL')},
               sum({sign} * coalesce({row}.talk_seconds + coalesce({row}.wrap_up_seconds, 0), 0)),
               {flag(f'{row}.talk_seconds IS NOT NULL')},
               sum({sign} * coalesce({row}.wait_seconds, 0)), {flag(f'{row}.wait_seconds IS NOT NULL')}
        FROM {calls_from}{local['settings']}
        WHERE {row}.enqueued_at IS NOT NULL AND {row}.answered_at IS NOT NULL
        GROUP BY 1, 2
        ON CONFLICT (day, counselor_id) DO UPDATE SET
            handled = counselor_days.handled + excluded.handled,
            talk_seconds = counselor_days.talk_seconds + excluded.talk_seconds,
            wrap_up_seconds = counselor_days.wrap_up_seconds + excluded.wrap_up_seconds,
            wrap_ups = counselor_days.wrap_ups + excluded.wrap_ups,
            handle_seconds = counselor_days.handle_seconds + excluded.handle_seconds,
            timed_calls = counselor_days.timed_calls + excluded.timed_calls,
            wait_seconds = counselor_days.wait_seconds + excluded.wait_seconds,
            waits = counselor_days.waits + excluded.waits""",
    ]
    if into_deltas:
        statements = [into_delta_table(statement) for statement in statements]
    return statements


def into_delta_table(upsert: str) -> str:
    """`upsert` as a plain insert into its table's delta table, without its ON CONFLICT."""
    head, rest = upsert.split(" (", 1)
    return f"{head}_delta ({rest.split('ON CONFLICT', 1)[0].rstrip()}"


def create_sqlite_triggers() -> None:
    def body(row: str, sign: str) -> str:
        return ";\n".join(counting_statements("sqlite", "", sign, row)) + ";"

    changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in COUNTED_COLUMNS)
    op.execute(f"CREATE TRIGGER report_rollups_call_inserted AFTER INSERT ON calls BEGIN\n{body('NEW', '1')}\nEND")
    op.execute(
        f"CREATE TRIGGER report_rollups_call_updated AFTER UPDATE ON calls WHEN {changed} BEGIN\n"
        f"{body('OLD', '-1')}\n{body('NEW', '1')}\nEND"
    )


def create_postgresql_triggers() -> None:
    statements = ";\n".join(counting_statements("postgresql", "", "delta", into_deltas=True))
    op.execute(
        "CREATE OR REPLACE FUNCTION report_rollups_count_call(c calls, delta integer) RETURNS void LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{statements};\nEND $$"
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION report_rollups_call_changed() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        "    IF TG_OP = 'UPDATE' THEN PERFORM report_rollups_count_call(OLD, -1); END IF;\n"
        "    PERFORM report_rollups_count_call(NEW, 1);\n"
        "    RETURN NULL;\n"
        "END $$"
    )
    changed = " OR ".join(
        f"OLD.{column}::text IS DISTINCT FROM NEW.{column}::text" if column == "categories" else f"OLD.{column} IS DISTINCT FROM NEW.{column}"
        for column in COUNTED_COLUMNS
    )
    op.execute("CREATE TRIGGER report_rollups_call_inserted AFTER INSERT ON calls FOR EACH ROW EXECUTE FUNCTION report_rollups_call_changed()")
    op.execute(
        f"CREATE TRIGGER report_rollups_call_updated AFTER UPDATE ON calls FOR EACH ROW WHEN ({changed}) "
        "EXECUTE FUNCTION report_rollups_call_changed()"
    )


def day_pieces(start: datetime, end: datetime, offset: timedelta):
    """(local day, microseconds) of the span [start, end), cut at local midnights."""
    local, local_end = start + offset, end + offset
    while local < local_end:
        next_midnight = datetime.combine(local.date() + timedelta(days=1), time.min, tzinfo=local.tzinfo)
        piece_end = min(local_end, next_midnight)
        yield local.date(), (piece_end - local) // timedelta(microseconds=1)
        local = piece_end


def backfill_presence_days(connection, offset_minutes: int) -> None:
    offset = timedelta(minutes=offset_minutes)
    rows = connection.execute(
        sa.text("SELECT user_id, state, changed_at FROM presence_changes ORDER BY user_id, changed_at, id").columns(
            changed_at=helpline.db.UTCDateTime()
        )
    )
    totals: dict[tuple[int, object], int] = {}
    previous = None
    for user_id, state, changed_at in rows:
        if previous is not None and previous[0] == user_id and previous[1] in STAFFED_STATES:
            for day, microseconds in day_pieces(previous[2], changed_at, offset):
                totals[(user_id, day)] = totals.get((user_id, day), 0) + microseconds
        previous = (user_id, state, changed_at)
    table = sa.table("presence_days", sa.column("user_id"), sa.column("day", sa.Date), sa.column("staffed_microseconds"))
    values = [{"user_id": user_id, "day": day, "staffed_microseconds": total} for (user_id, day), total in sorted(totals.items())]
    for first in range(0, len(values), 10_000):
        connection.execute(table.insert(), values[first : first + 10_000])


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table('report_rollup_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('utc_offset_minutes', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_rollup_settings'))
    )
    call_days = op.create_table('call_days',
    sa.Column('span', sa.String(length=5), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('emergency', sa.Boolean(), nullable=False),
    sa.Column('answered', sa.Boolean(), nullable=False),
    sa.Column('abandoned', sa.Boolean(), nullable=False),
    sa.Column('wait_seconds', sa.Integer(), nullable=False),
    sa.Column('calls', sa.Integer(), nullable=False),
    sa.Column('repeat_callers', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('span', 'day', 'emergency', 'answered', 'abandoned', 'wait_seconds', name=op.f('pk_call_days')),
    sqlite_with_rowid=False,
    postgresql_partition_by='LIST (span)'
    )
    call_hours = op.create_table('call_hours',
    sa.Column('span', sa.String(length=5), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('hour', sa.SmallInteger(), nullable=False),
    sa.Column('answered', sa.Boolean(), nullable=False),
    sa.Column('abandoned', sa.Boolean(), nullable=False),
    sa.Column('wait_seconds', sa.Integer(), nullable=False),
    sa.Column('calls', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('span', 'day', 'hour', 'answered', 'abandoned', 'wait_seconds', name=op.f('pk_call_hours')),
    sqlite_with_rowid=False,
    postgresql_partition_by='LIST (span)'
    )
    call_category_days = op.create_table('call_category_days',
    sa.Column('span', sa.String(length=5), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=64), nullable=False),
    sa.Column('risk_level', sa.String(length=16), nullable=False),
    sa.Column('calls', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('span', 'day', 'category', 'outcome', 'risk_level', name=op.f('pk_call_category_days')),
    sqlite_with_rowid=False,
    postgresql_partition_by='LIST (span)'
    )
    counselor_days = op.create_table('counselor_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('counselor_id', sa.Integer(), nullable=False),
    sa.Column('handled', sa.Integer(), nullable=False),
    sa.Column('talk_seconds', sa.BigInteger(), nullable=False),
    sa.Column('wrap_up_seconds', sa.BigInteger(), nullable=False),
    sa.Column('wrap_ups', sa.Integer(), nullable=False),
    sa.Column('handle_seconds', sa.BigInteger(), nullable=False),
    sa.Column('timed_calls', sa.Integer(), nullable=False),
    sa.Column('wait_seconds', sa.BigInteger(), nullable=False),
    sa.Column('waits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'counselor_id', name=op.f('pk_counselor_days')),
    sqlite_with_rowid=False
    )
    op.create_table('presence_days',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('staffed_microseconds', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('user_id', 'day', name=op.f('pk_presence_days')),
    sqlite_with_rowid=False
    )
    # PostgreSQL's triggers count into these; folding moves them into the sums. On SQLite
    # they stay empty (its triggers write the sums), and exist so both schemas are one.
    for sums in (call_days, call_hours, call_category_days, counselor_days):
        op.create_table(f"{sums.name}_delta", *(sa.Column(column.name, column.type, nullable=False) for column in sums.columns))
    if dialect == "postgresql":
        # A year's report reads the months alone, not the days' rows beside them.
        for table in SPAN_TABLES:
            for span in ("day", "month"):
                op.execute(f"CREATE TABLE {table}_{span}s PARTITION OF {table} FOR VALUES IN ('{span}')")
    offset_minutes = int(current_app.config.get("HELPLINE_UTC_OFFSET_MINUTES", 210))
    op.execute(sa.text("INSERT INTO report_rollup_settings (id, utc_offset_minutes) VALUES (1, :offset)").bindparams(offset=offset_minutes))
    # Count the calls already there, then keep counting from the triggers.
    for statement in counting_statements(dialect, "calls AS c, ", "1"):
        op.execute(statement)
    if dialect == "postgresql":
        create_postgresql_triggers()
    else:
        create_sqlite_triggers()
    backfill_presence_days(op.get_bind(), offset_minutes)


def downgrade():
    dialect = op.get_bind().dialect.name
    op.execute("DROP TRIGGER IF EXISTS report_rollups_call_updated" + (" ON calls" if dialect == "postgresql" else ""))
    op.execute("DROP TRIGGER IF EXISTS report_rollups_call_inserted" + (" ON calls" if dialect == "postgresql" else ""))
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS report_rollups_call_changed()")
        op.execute("DROP FUNCTION IF EXISTS report_rollups_count_call(calls, integer)")
    for table in DELTA_TABLES:
        op.drop_table(table)
    op.drop_table('presence_days')
    op.drop_table('counselor_days')
    op.drop_table('call_category_days')
    op.drop_table('call_hours')
    op.drop_table('call_days')
    op.drop_table('report_rollup_settings')
