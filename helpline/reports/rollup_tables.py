"""The reports' rollups: sums of the calls and of the presence history per local day, so that a
year's report reads tens of thousands of rows instead of a million calls. Database triggers (the
migration that creates them) keep the call rollups right whatever writes a call;
`helpline.reports.rollups` keeps `presence_days`. They hold no caller's data, and stay when old
calls are purged. Key columns are never NULL, so that upserts match: "none" is -1, 0 or ""."""

from datetime import date

from sqlalchemy import BigInteger, Column, Date, Integer, SmallInteger, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from helpline.db import db


class ReportRollupSettings(db.Model):
    """The one row saying which local days the rollups count in (HELPLINE_UTC_OFFSET_MINUTES
    when they were built); reports for another offset read the calls themselves."""

    __tablename__ = "report_rollup_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    utc_offset_minutes: Mapped[int] = mapped_column(Integer)


# "day" rows count one local day; "month" rows a whole local month (see rollups.py).
SPANS = ("day", "month")


class CallDay(db.Model):
    """Offered calls per local day (and per month) by what every count of the service level
    needs: danger now, answered, abandoned, and the exact wait (-1 unknown), so that any
    threshold an administrator sets applies to any period."""

    __tablename__ = "call_days"
    # Clustered by key on SQLite, so a period is one range of the table.
    __table_args__ = {"sqlite_with_rowid": False}

    span: Mapped[str] = mapped_column(String(5), primary_key=True)
    # A "month" row's day is the month's first.
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    emergency: Mapped[bool] = mapped_column(primary_key=True)
    answered: Mapped[bool] = mapped_column(primary_key=True)
    abandoned: Mapped[bool] = mapped_column(primary_key=True)
    wait_seconds: Mapped[int] = mapped_column(Integer, primary_key=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)
    repeat_callers: Mapped[int] = mapped_column(Integer, default=0)


class CallHour(db.Model):
    """CallDay's counts per local hour too, for the hours and weekdays of a period."""

    __tablename__ = "call_hours"
    __table_args__ = {"sqlite_with_rowid": False}

    span: Mapped[str] = mapped_column(String(5), primary_key=True)
    # A "month" row's day is the day of the month's first week with the same weekday, so that
    # the weekday is kept.
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hour: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    answered: Mapped[bool] = mapped_column(primary_key=True)
    abandoned: Mapped[bool] = mapped_column(primary_key=True)
    wait_seconds: Mapped[int] = mapped_column(Integer, primary_key=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)


class CallCategoryDay(db.Model):
    """Category mentions per local day (and month), outcome and risk level: each category of a
    call's log, or its queue category when the log has none ("" for none)."""

    __tablename__ = "call_category_days"
    __table_args__ = {"sqlite_with_rowid": False}

    span: Mapped[str] = mapped_column(String(5), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    category: Mapped[str] = mapped_column(String(64), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(64), primary_key=True)
    risk_level: Mapped[str] = mapped_column(String(16), primary_key=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)


class CounselorDay(db.Model):
    """Answered calls per local day and counselor (0: none), with the sums and counts behind
    the averages of handle time, wrap-up and speed of answer."""

    __tablename__ = "counselor_days"
    # Clustered by key on SQLite, so a period is one range of the table.
    __table_args__ = {"sqlite_with_rowid": False}

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    counselor_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    handled: Mapped[int] = mapped_column(Integer, default=0)
    talk_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    wrap_up_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    wrap_ups: Mapped[int] = mapped_column(Integer, default=0)
    handle_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    timed_calls: Mapped[int] = mapped_column(Integer, default=0)
    wait_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    waits: Mapped[int] = mapped_column(Integer, default=0)


def delta_table(sums: Table) -> Table:
    """Signed counts waiting to be folded into `sums` (PostgreSQL's triggers write here, see
    helpline.reports.rollups): the same columns, and no key, so that concurrent writers only
    ever add rows and never wait on each other. SQLite's triggers write the sums themselves."""
    return Table(f"{sums.name}_delta", db.metadata, *(Column(column.name, column.type, nullable=False) for column in sums.columns))


CALL_DAYS_DELTA = delta_table(CallDay.__table__)
CALL_HOURS_DELTA = delta_table(CallHour.__table__)
CALL_CATEGORY_DAYS_DELTA = delta_table(CallCategoryDay.__table__)
COUNSELOR_DAYS_DELTA = delta_table(CounselorDay.__table__)


class PresenceDay(db.Model):
    """Time each user spent available, on a call or in wrap-up per local day, in microseconds
    (exact, so that a change inserted between two others adds and takes away exactly), counting
    the spans that have ended; the latest state of each user is added when a report is read."""

    __tablename__ = "presence_days"
    # Clustered by key on SQLite, so a period is one range of the table.
    __table_args__ = {"sqlite_with_rowid": False}

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    staffed_microseconds: Mapped[int] = mapped_column(BigInteger, default=0)
