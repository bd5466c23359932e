"""The few SQL expressions that differ between SQLite and PostgreSQL.

Reports group by local hour, weekday and date, measure spans between two moments and count
each category of a call's log; each helper renders the same result on both databases. Offsets
and constants are rendered as literals (they are integers from the settings, never user input)
so that PostgreSQL sees the same expression in SELECT and GROUP BY.
"""

from datetime import datetime

from sqlalchemy import JSON, Date, Integer, case, cast, extract, func, literal, literal_column
from sqlalchemy.sql.elements import ColumnElement

from helpline.db import UTCDateTime

SUPPORTED = ("sqlite", "postgresql")


def _check(dialect: str) -> None:
    if dialect not in SUPPORTED:
        raise RuntimeError(f"reports support {', '.join(SUPPORTED)}, not {dialect}")


def moment(value: datetime) -> ColumnElement:
    """A bound UTC moment, stored the way the columns are (text on SQLite)."""
    return literal(value, UTCDateTime())


def _local(column, offset_minutes: int, dialect: str) -> ColumnElement:
    """A UTC column as the helpline's wall-clock time (PostgreSQL only: SQLite adds the
    offset as a modifier of its date functions)."""
    return column.op("AT TIME ZONE")(literal_column("'UTC'")) + literal_column(f"INTERVAL '{int(offset_minutes)} minutes'")


def _modifier(offset_minutes: int):
    return literal_column(f"'{int(offset_minutes):+d} minutes'")


def local_hour(column, offset_minutes: int, dialect: str) -> ColumnElement:
    """0..23, the local hour of a UTC moment."""
    _check(dialect)
    if dialect == "sqlite":
        return cast(func.strftime("%H", column, _modifier(offset_minutes)), Integer)
    return cast(extract("hour", _local(column, offset_minutes, dialect)), Integer)


def local_weekday(column, offset_minutes: int, dialect: str) -> ColumnElement:
    """0..6 with 0 for Sunday, the local day of the week of a UTC moment."""
    _check(dialect)
    if dialect == "sqlite":
        return cast(func.strftime("%w", column, _modifier(offset_minutes)), Integer)
    return cast(extract("dow", _local(column, offset_minutes, dialect)), Integer)


def local_date(column, offset_minutes: int, dialect: str) -> ColumnElement:
    """The local date of a UTC moment (text YYYY-MM-DD on SQLite, a date on PostgreSQL)."""
    _check(dialect)
    if dialect == "sqlite":
        return func.date(column, _modifier(offset_minutes))
    return cast(_local(column, offset_minutes, dialect), Date)


def seconds_between(earlier, later, dialect: str) -> ColumnElement:
    _check(dialect)
    if dialect == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return extract("epoch", later - earlier)


def later_of(first, second, dialect: str) -> ColumnElement:
    _check(dialect)
    return func.max(first, second) if dialect == "sqlite" else func.greatest(first, second)


def category_keys(logged_text, queue_category, dialect: str):
    """A table-valued function with a `value` column: each category key of a counselor's log
    (`logged_text`, the JSON list as text), or the queue's category (the menu choice) when the
    log has none. A value that is not a JSON list counts as an empty log."""
    _check(dialect)
    if dialect == "sqlite":
        has_log = (func.json_type(logged_text) == "array") & (func.json_array_length(logged_text) > 0)
        keys = case((has_log, logged_text), else_=func.json_array(queue_category))
        return func.json_each(keys).table_valued("value")
    logged = cast(logged_text, JSON)
    is_list = func.json_typeof(logged) == "array"
    # CASE inside, as PostgreSQL may evaluate either side of AND first.
    has_log = is_list & (func.json_array_length(case((is_list, logged), else_=literal_column("'[]'::json"))) > 0)
    keys = case((has_log, logged), else_=func.json_build_array(queue_category))
    return func.json_array_elements_text(keys).table_valued("value")
