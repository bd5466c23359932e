"""Bulk loading of the benchmark's rows: PostgreSQL `COPY` through psycopg, SQLite `executemany`
in large transactions. The schema comes from the project's migrations beforehand."""

import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from itertools import islice

import psycopg

from bench.calls_data import json_text
from helpline.models import Call

CALL_COLUMNS = [column.name for column in Call.__table__.columns]
JSON_COLUMNS = {"priority_reasons", "categories"}
SQLITE_BATCH = 100_000


def batches(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def sqlite_value(value):
    """As SQLAlchemy stores it on SQLite: naive UTC text with microseconds, 0/1, JSON text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, list):
        return json_text(value)
    return value


def postgres_value(name: str, value):
    return json_text(value) if name in JSON_COLUMNS else value


def sqlite_connection(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    return connection


def load_sqlite(path: str, users: list[tuple], calls: Iterable[dict], presence: Iterable[tuple]) -> None:
    connection = sqlite_connection(path)
    try:
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO users (id, username, password_hash, role, active, created_at, presence, presence_since, language) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[sqlite_value(value) for value in user] for user in users],
        )
        connection.execute("COMMIT")
        insert_call = f"INSERT INTO calls ({', '.join(CALL_COLUMNS)}) VALUES ({', '.join('?' * len(CALL_COLUMNS))})"
        for batch in batches(calls, SQLITE_BATCH):
            connection.execute("BEGIN")
            connection.executemany(insert_call, [[sqlite_value(row[name]) for name in CALL_COLUMNS] for row in batch])
            connection.execute("COMMIT")
        for batch in batches(presence, SQLITE_BATCH * 5):
            connection.execute("BEGIN")
            connection.executemany(
                "INSERT INTO presence_changes (user_id, state, changed_at) VALUES (?, ?, ?)",
                [(user_id, state, sqlite_value(at)) for user_id, state, at in batch],
            )
            connection.execute("COMMIT")
        connection.execute("ANALYZE")
    finally:
        connection.close()


def load_postgres(url: str, users: list[tuple], calls: Iterable[dict], presence: Iterable[tuple]) -> None:
    with psycopg.connect(url, autocommit=False) as connection:
        with connection.cursor() as cursor:
            with cursor.copy(
                "COPY users (id, username, password_hash, role, active, created_at, presence, presence_since, language) FROM STDIN"
            ) as copy:
                for user in users:
                    copy.write_row(user)
            with cursor.copy(f"COPY calls ({', '.join(CALL_COLUMNS)}) FROM STDIN") as copy:
                for row in calls:
                    copy.write_row([postgres_value(name, row[name]) for name in CALL_COLUMNS])
            with cursor.copy("COPY presence_changes (user_id, state, changed_at) FROM STDIN") as copy:
                for change in presence:
                    copy.write_row(change)
            cursor.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))")
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")


def analyze_sqlite(path: str) -> None:
    connection = sqlite_connection(path)
    try:
        connection.execute("ANALYZE")
    finally:
        connection.close()


def vacuum_postgres(url: str) -> None:
    """Statistics, and the visibility map that lets PostgreSQL read an index alone."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
