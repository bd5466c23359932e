"""CSV of the reports and of the calls of a period: UTF-8 with a byte-order mark (so Excel reads
Persian and Tajik text), a header row, streamed as it is written.

The calls export carries the masked caller only, and leaves the counselor's free-text notes
out: notes may hold names, addresses and other details that identify a caller, and a CSV file
leaves the service's access control behind once downloaded. Everything else of the log is in.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, or_, select

from helpline.db import db
from helpline.models import Call, User
from helpline.periods import Period
from helpline.reports.summary import offered_in

BYTE_ORDER_MARK = "\ufeff"
# Spreadsheets run a cell starting with these as a formula; such text gets a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH_SIZE = 2000

CALL_COLUMNS = (
    "call_sid", "enqueued_at", "started_at", "answered_at", "ended_at", "caller", "language", "menu_category",
    "priority", "emergency", "repeat_caller", "queue_result", "wait_seconds", "abandoned", "talk_seconds",
    "wrap_up_seconds", "counselor", "call_type", "categories", "risk_level", "outcome", "referral",
    "follow_up_on", "logged_at",
)  # fmt: skip


def cell(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(header: Iterable[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The BOM and header, then the rows, a few hundred lines per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BYTE_ORDER_MARK)
    writer.writerow(header)
    for number, row in enumerate(rows, 1):
        writer.writerow([cell(value) for value in row])
        if number % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def dict_rows(header: tuple[str, ...], rows: Iterable[dict]) -> Iterator[list]:
    return ([row.get(name) for name in header] for row in rows)


def local_stamp(moment: datetime | None, zone: timezone) -> str | None:
    return None if moment is None else moment.astimezone(zone).isoformat()


EXPORTED_FIELDS = (
    Call.call_sid, Call.enqueued_at, Call.started_at, Call.answered_at, Call.ended_at, Call.caller_masked,
    Call.language, Call.category, Call.priority, Call.emergency, Call.repeat_caller, Call.queue_result,
    Call.wait_seconds, Call.abandoned, Call.talk_seconds, Call.wrap_up_seconds, Call.call_type, Call.categories,
    Call.risk_level, Call.outcome, Call.referral, Call.follow_up_on, Call.logged_at,
)  # fmt: skip


def call_row(call, zone: timezone) -> list:
    """One CSV row of a row of EXPORTED_FIELDS and `counselor`, times in the local `zone`."""

    def stamp(moment: datetime | None) -> str | None:
        return local_stamp(moment, zone)

    return [
        call.call_sid, stamp(call.enqueued_at), stamp(call.started_at), stamp(call.answered_at), stamp(call.ended_at),
        call.caller_masked, call.language, call.category, call.priority, call.emergency, call.repeat_caller,
        call.queue_result, call.wait_seconds, call.abandoned, call.talk_seconds, call.wrap_up_seconds, call.counselor,
        call.call_type, ";".join(call.categories) if isinstance(call.categories, list) else None, call.risk_level,
        call.outcome, call.referral, call.follow_up_on.isoformat() if call.follow_up_on else None, stamp(call.logged_at),
    ]  # fmt: skip


def calls_in(period: Period) -> Iterator[list]:
    """The period's offered calls in order of arrival, read in batches by key, each batch its
    own short transaction: a long download never holds the database (SQLite's write lock)."""
    after: tuple[datetime, str] | None = None
    zone = timezone(timedelta(minutes=period.utc_offset_minutes))
    while True:
        query = (
            select(*EXPORTED_FIELDS, User.username.label("counselor"))
            .outerjoin(User, Call.counselor_id == User.id)
            .where(*offered_in(period.start_utc, period.end_utc))
            .order_by(Call.enqueued_at, Call.call_sid)
            .limit(BATCH_SIZE)
        )
        if after is not None:
            # The first condition repeats what the second implies, so that the index on
            # enqueued_at starts at the last row read instead of the period's start.
            query = query.where(
                Call.enqueued_at >= after[0],
                or_(Call.enqueued_at > after[0], and_(Call.enqueued_at == after[0], Call.call_sid > after[1])),
            )
        rows = db.session.execute(query).all()
        batch = [call_row(row, zone) for row in rows]
        if rows:
            after = (rows[-1].enqueued_at, rows[-1].call_sid)
        db.session.rollback()
        yield from batch
        if len(batch) < BATCH_SIZE:
            return
