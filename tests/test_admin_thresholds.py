"""Thresholds and targets: saved, checked, reset, and used by the queue and the call log."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, update

from helpline.db import db
from helpline.in_force import saved as saved_settings
from helpline.in_force import thresholds
from helpline.in_force.thresholds import threshold
from helpline.models import Setting
from tests.support.admin import save_setting, settings_rows
from tests.support.calls import call_record, place_call, queue_sids
from tests.support.provider import new_call_sid
from tests.support.users import post_form


def test_the_page_shows_each_value_in_force_beside_its_default(app, admin):
    page = admin.get("/admin/thresholds")
    assert page.status_code == 200
    for key in thresholds.THRESHOLDS:
        assert f'id="threshold-{key}"'.encode() in page.data
    assert b'<dd class="threshold-value">120</dd>' in page.data and b'<dd class="threshold-default">120</dd>' in page.data
    assert b"Reset to the default" not in page.data


def test_saving_on_the_page_then_resetting(app, admin):
    response = post_form(admin, "/admin/thresholds/aging_step_seconds", {"aging_step_seconds-value": "45"})
    assert response.status_code == 302
    assert settings_rows(app) == {"aging_step_seconds": 45}
    entry = admin.get("/api/admin/thresholds").json["aging_step_seconds"]
    assert entry == {"value": 45, "default": 120, "saved": True, "minimum": 10, "maximum": 86400, "whole": True}
    page = admin.get("/admin/thresholds")
    assert b'<dd class="threshold-value">45</dd>' in page.data and b"Reset to the default" in page.data

    assert post_form(admin, "/admin/thresholds/aging_step_seconds/reset").status_code == 302
    assert settings_rows(app) == {}
    assert admin.get("/api/admin/thresholds").json["aging_step_seconds"]["value"] == 120


@pytest.mark.parametrize(
    "key, typed, stored",
    [("aging_step_seconds", "۴۵", 45), ("service_level_target", "0.9", 0.9), ("service_level_target", "1", 1.0)],
)
def test_numbers_as_typed(app, admin, key, typed, stored):
    assert post_form(admin, f"/admin/thresholds/{key}", {f"{key}-value": typed}).status_code == 302
    assert settings_rows(app) == {key: stored}


@pytest.mark.parametrize(
    "key, typed, message",
    [
        ("aging_step_seconds", "5", b"must be a whole number from 10 to 86400"),
        ("aging_step_seconds", "12.5", b"must be a whole number from 10 to 86400"),
        ("aging_step_seconds", "soon", b"must be a whole number"),
        ("aging_step_seconds", "", b"must be a whole number"),
        ("service_level_target", "1.5", b"must be a number from 0 to 1"),
        ("repeat_caller_window_days", "nan", b"must be a whole number from 1 to 3650"),
        ("danger_wait_alert_seconds", "inf", b"must be a whole number from 5 to 3600"),
    ],
)
def test_bad_values_on_the_page_change_nothing(app, admin, key, typed, message):
    response = post_form(admin, f"/admin/thresholds/{key}", {f"{key}-value": typed})
    assert response.status_code == 400 and message in response.data
    assert settings_rows(app) == {}


def test_saving_and_resetting_over_json(app, admin):
    response = admin.put("/api/admin/thresholds/service_level_seconds", json={"value": 30})
    assert response.status_code == 200 and response.json["value"] == 30 and response.json["default"] == 20
    assert settings_rows(app) == {"service_level_seconds": 30}
    response = admin.delete("/api/admin/thresholds/service_level_seconds", headers={"X-Requested-With": "XMLHttpRequest"})
    assert response.status_code == 200 and response.json["value"] == 20 and not response.json["saved"]
    assert settings_rows(app) == {}


@pytest.mark.parametrize(
    "body",
    [
        '{"value": "60"}', '{"value": true}', '{"value": null}', "{}", '{"value": 5}', '{"value": 60, "also": 1}',
        "[60]", '{"value": Infinity}', '{"value": NaN}', '{"value": 1e999}',
    ],
)
def test_bad_values_over_json_change_nothing(app, admin, body):
    response = admin.put("/api/admin/thresholds/aging_step_seconds", data=body, content_type="application/json")
    assert response.status_code == 400 and response.json["error"]
    assert settings_rows(app) == {}


def test_an_unknown_threshold_is_404(app, admin):
    assert admin.put("/api/admin/thresholds/patience", json={"value": 60}).status_code == 404
    assert post_form(admin, "/admin/thresholds/patience", {"patience-value": "60"}).status_code == 404
    assert settings_rows(app) == {}


def test_a_saved_value_outside_its_limits_is_not_used(app):
    save_setting(app, "aging_step_seconds", 1)
    with app.test_request_context():
        assert threshold("aging_step_seconds") == 120
    save_setting(app, "aging_step_seconds", 30)
    with app.test_request_context():
        assert threshold("aging_step_seconds") == 30


def test_a_value_saved_through_another_process_is_used_within_seconds(app, app_factory, monkeypatch):
    other_process = app_factory()
    with other_process.test_request_context():
        assert threshold("aging_step_seconds") == 120
    save_setting(app, "aging_step_seconds", 30)
    with app.test_request_context():
        assert threshold("aging_step_seconds") == 30
    # The other process goes on with what it read a moment ago, then reads the table again.
    with other_process.test_request_context():
        assert threshold("aging_step_seconds") == 120
    monkeypatch.setattr(saved_settings, "SHARED_SECONDS", 0)
    with other_process.test_request_context():
        assert threshold("aging_step_seconds") == 30


def test_a_statement_that_changes_the_table_is_seen_at_once_by_its_process(app):
    """Bulk UPDATE and DELETE statements flush no rows, and still make the process read again."""
    save_setting(app, "aging_step_seconds", 30)
    with app.test_request_context():
        assert threshold("aging_step_seconds") == 30
    with app.app_context():
        db.session.execute(update(Setting).where(Setting.key == "aging_step_seconds").values(value=45))
        db.session.commit()
    with app.test_request_context():
        assert threshold("aging_step_seconds") == 45
    with app.app_context():
        db.session.execute(delete(Setting).where(Setting.key == "aging_step_seconds"))
        db.session.commit()
    with app.test_request_context():
        assert threshold("aging_step_seconds") == 120


def test_the_saved_aging_step_orders_the_queue(app, provider, admin, at):
    first = new_call_sid()
    place_call(provider, first, "1", caller="+989121110000")
    at(5)
    place_call(provider, new_call_sid(), "1", caller="+989122220000")
    at(30)
    repeat = new_call_sid()
    place_call(provider, repeat, "1", caller="+989122220000")
    at(60)
    # By default (120 s) the repeat caller is ahead; raised every 40 s, the first caller has caught up.
    assert queue_sids(admin)[0] == repeat
    assert admin.put("/api/admin/thresholds/aging_step_seconds", json={"value": 40}).status_code == 200
    assert queue_sids(admin)[0] == first
    assert b'"aging_step": 40' in admin.get("/dashboard").data


def test_the_saved_repeat_caller_window_is_used(app, provider, admin, at):
    place_call(provider, new_call_sid(), "1", caller="+989123330000")
    at(timedelta(days=2).total_seconds())
    again = new_call_sid()
    place_call(provider, again, "1", caller="+989123330000")
    assert call_record(app, again).repeat_caller

    assert admin.put("/api/admin/thresholds/repeat_caller_window_days", json={"value": 1}).status_code == 200
    at(timedelta(days=4).total_seconds())
    third = new_call_sid()
    place_call(provider, third, "1", caller="+989123330000")
    assert not call_record(app, third).repeat_caller
