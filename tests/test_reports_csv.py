"""CSV exports: UTF-8 with a BOM and a header, the masked caller only, no notes, every call once."""

import csv
import io
from datetime import date

import pytest

from helpline.caller_privacy import protect, reveal
from helpline.reports import csv_export
from tests.support.reports import add_calls, add_user, local, make_call

DAY = date(2024, 3, 11)
PERIOD = {"from": DAY.isoformat(), "to": DAY.isoformat()}
NUMBER = "+989127654321"


@pytest.fixture
def supervisor(auth):
    auth.create("supervisor1", "supervisor")
    auth.login("supervisor1")


def read_csv(response) -> list[dict]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def protected_call(app, **fields):
    protected = protect(NUMBER, app.config["CALLER_HASH_KEY"], app.config["CALLER_ENCRYPTION_KEY"])
    return make_call(
        local(DAY, 9), caller_hash=protected.hash, caller_encrypted=protected.encrypted, caller_masked=protected.masked, **fields
    )


def test_calls_csv_has_the_masked_caller_and_never_the_number_or_the_notes(client, app, supervisor):
    counselor = add_user(app, "counselor1")
    call = protected_call(
        app, wait_seconds=12, talk_seconds=300, wrap_up_seconds=40, counselor_id=counselor, categories=["anxiety", "stress"],
        call_type="about_self", risk_level="low", outcome="referred", referral="مرکز مشاوره بهزیستی",
        notes="Caller Maryam, lives at 12 Azadi St, her other number 09127654321",
    )  # fmt: skip
    (call_sid,) = add_calls(app, call)
    with app.app_context():
        assert reveal(call.caller_encrypted, app.config["CALLER_ENCRYPTION_KEY"]) == NUMBER  # a real number is stored
    response = client.get("/api/reports/calls.csv", query_string=PERIOD)
    text = response.get_data(as_text=True)
    for fragment in ("7654321", "9127654321", "Maryam", "Azadi", call.caller_encrypted, call.caller_hash):
        assert fragment not in text
    (row,) = read_csv(response)
    assert list(row) == list(csv_export.CALL_COLUMNS)
    assert row["call_sid"] == call_sid and row["caller"] == "'+98********21"
    assert row["enqueued_at"] == "2024-03-11T09:00:00+03:30"
    assert (row["counselor"], row["categories"], row["risk_level"], row["outcome"]) == ("counselor1", "anxiety;stress", "low", "referred")
    assert (row["wait_seconds"], row["talk_seconds"], row["wrap_up_seconds"], row["abandoned"]) == ("12", "300", "40", "false")
    assert row["referral"] == "مرکز مشاوره بهزیستی"
    assert 'attachment; filename="calls-2024-03-11-2024-03-11.csv"' == response.headers["Content-Disposition"]


def test_calls_csv_reads_in_batches_and_gives_every_call_once(client, app, supervisor, monkeypatch):
    monkeypatch.setattr(csv_export, "BATCH_SIZE", 3)
    # Three calls share a moment, so the batches must break ties by CallSid.
    moments = [local(DAY, 8), local(DAY, 9), local(DAY, 9), local(DAY, 9), local(DAY, 10), local(DAY, 11), local(DAY, 12)]
    sids = add_calls(app, *(make_call(moment, wait_seconds=1) for moment in moments), make_call(local(date(2024, 3, 12), 1)))
    rows = read_csv(client.get("/api/reports/calls.csv", query_string=PERIOD))
    assert sorted(row["call_sid"] for row in rows) == sorted(sids[:7])
    assert [row["enqueued_at"][11:13] for row in rows] == ["08", "09", "09", "09", "10", "11", "12"]


def test_an_empty_period_gives_the_header_alone(client, supervisor):
    response = client.get("/api/reports/calls.csv", query_string=PERIOD)
    assert response.get_data().decode("utf-8-sig").splitlines() == [",".join(csv_export.CALL_COLUMNS)]


def test_spreadsheet_formulas_are_neutralised():
    assert csv_export.cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert csv_export.cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_export.cell("plain") == "plain"
    assert (csv_export.cell(-3), csv_export.cell(None), csv_export.cell(True)) == (-3, "", "true")


def test_each_report_as_csv(client, app, supervisor):
    counselor = add_user(app, "counselor1")
    add_calls(
        app,
        make_call(local(DAY, 9), wait_seconds=10, talk_seconds=300, counselor_id=counselor, categories=["anxiety"], outcome="counselled", risk_level="low"),
        make_call(local(DAY, 10), wait_seconds=60, abandoned=True, category="elderly"),
    )
    summary = {row["metric"]: row["value"] for row in read_csv(client.get("/api/reports/summary.csv", query_string=PERIOD))}
    assert (summary["offered"], summary["answered"], summary["service_level"]) == ("2", "1", "0.5")
    assert (summary["by_category.anxiety"], summary["by_category.elderly"], summary["period.from"]) == ("1", "1", "2024-03-11")
    as_format = read_csv(client.get("/api/reports/summary", query_string={**PERIOD, "format": "csv"}))
    assert {row["metric"]: row["value"] for row in as_format} == summary

    (counselor_row,) = read_csv(client.get("/api/reports/counselors.csv", query_string=PERIOD))
    assert (counselor_row["counselor"], counselor_row["handled"], counselor_row["occupancy"]) == ("counselor1", "1", "")

    breakdown = read_csv(client.get("/api/reports/breakdown.csv", query_string=PERIOD))
    assert [(row["category"], row["outcome"], row["risk_level"], row["calls"]) for row in breakdown] == [
        ("anxiety", "counselled", "low", "1"), ("elderly", "", "", "1")
    ]  # fmt: skip

    hours = read_csv(client.get("/api/reports/hours.csv", query_string=PERIOD))
    assert [(row["day"], row["hour"], row["offered"]) for row in hours] == [("monday", "9", "1"), ("monday", "10", "1")]

    trend = read_csv(client.get("/api/reports/trend.csv", query_string={"from": "2024-03-10", "to": "2024-03-11"}))
    assert [(row["date"], row["offered"], row["service_level"]) for row in trend] == [("2024-03-10", "0", "0.0"), ("2024-03-11", "2", "0.5")]


def test_a_bad_period_is_refused_before_any_csv(client, supervisor):
    response = client.get("/api/reports/calls.csv", query_string={"from": "2024-03-11", "to": "yesterday"})
    assert response.status_code == 400 and response.json == {"error": "to: must be a date as YYYY-MM-DD"}
