"""Thresholds and targets (`helpline.in_force.thresholds.THRESHOLDS`): /admin/thresholds and
/api/admin/thresholds.

Each shows the value in force beside the default; saving checks it with `thresholds.check`, and
"reset to default" deletes the saved row.

    GET    /api/admin/thresholds          {key: {"value", "default", "saved", "minimum", "maximum", "whole"}}
    PUT    /api/admin/thresholds/<key>    {"value": number} → the threshold; 400 outside its limits
    DELETE /api/admin/thresholds/<key>    back to the default
"""

import math

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from marshmallow import Schema, fields
from wtforms import StringField, SubmitField

from helpline.admin.blueprints import api, pages
from helpline.auth import roles_required
from helpline.db import db
from helpline.in_force import thresholds
from helpline.in_force.saved import forget, reread, snapshot
from helpline.in_force.thresholds import THRESHOLDS, Threshold, threshold

TITLES = {
    "service_level_seconds": _l("Service level: answered within (seconds)"),
    "service_level_target": _l("Service level target (a share from 0 to 1, e.g. 0.8)"),
    "short_abandon_seconds": _l("Short abandon: callers hanging up within (seconds) are counted apart"),
    "danger_wait_alert_seconds": _l("Alert supervisors when a danger-now caller has waited (seconds)"),
    "aging_step_seconds": _l("Waiting raises a caller one priority level every (seconds)"),
    "repeat_caller_window_days": _l("A repeat caller called before within (days)"),
}


def number():
    # As stored: whole numbers stay whole (60, not 60.0).
    return fields.Raw(required=True, metadata={"type": "number"})


class ThresholdSchema(Schema):
    value, default, minimum, maximum = number(), number(), number(), number()
    saved = fields.Boolean(required=True)
    whole = fields.Boolean(required=True)


ThresholdsSchema = Schema.from_dict({key: fields.Nested(ThresholdSchema, required=True) for key in THRESHOLDS}, name="Thresholds")


class NewValueSchema(Schema):
    # A number, checked against its limits by `save` (as the page's value is).
    value = fields.Raw(required=True, metadata={"type": "number"})


KEY = {"in": "path", "name": "key", "schema": {"type": "string", "enum": sorted(THRESHOLDS)}, "description": "The threshold."}


class ThresholdForm(FlaskForm):
    value = StringField(_l("New value"))
    submit = SubmitField(_l("Save"))


class ResetForm(FlaskForm):
    """Only the CSRF token."""


def known(key: str) -> Threshold:
    if key not in THRESHOLDS:
        abort(404, _("no such threshold"))
    return THRESHOLDS[key]


def limits_message(limits: Threshold) -> str:
    if limits.whole:
        return _("must be a whole number from %(minimum)g to %(maximum)g", minimum=limits.minimum, maximum=limits.maximum)
    return _("must be a number from %(minimum)g to %(maximum)g", minimum=limits.minimum, maximum=limits.maximum)


def parsed_number(text: str | None) -> int | float | None:
    """A number typed in a form (Persian and Arabic digits too); None if it is none."""
    try:
        number = float((text or "").strip().replace("٫", "."))
    except ValueError:
        return None
    return int(number) if number.is_integer() else number


def save(key: str, value: object, user_id: int) -> None:
    """ValueError (translated) outside the limits; the caller commits."""
    # thresholds.check cannot take infinities (JSON parsing accepts `Infinity`): refuse them first.
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(limits_message(THRESHOLDS[key]))
    try:
        thresholds.put(key, value, user_id)
    except ValueError:
        raise ValueError(limits_message(THRESHOLDS[key])) from None


def thresholds_in_force() -> dict:
    """ThresholdsSchema's source."""
    saved = snapshot()
    return {
        key: {
            "value": threshold(key),
            "default": thresholds.default(key),
            "saved": key in saved,
            "minimum": limits.minimum,
            "maximum": limits.maximum,
            "whole": limits.whole,
        }
        for key, limits in THRESHOLDS.items()
    }


def render_thresholds(status: int = 200, failed: tuple[str, ThresholdForm] | None = None):
    forms = {key: ThresholdForm(formdata=None, prefix=key) for key in THRESHOLDS}
    if failed:
        forms[failed[0]] = failed[1]
    return render_template(
        "admin/thresholds.html", rows=thresholds_in_force(), titles=TITLES, forms=forms, reset_form=ResetForm(formdata=None)
    ), status


@pages.get("/thresholds")
@roles_required("admin")
def thresholds_page():
    return render_thresholds()


@pages.post("/thresholds/<key>")
@roles_required("admin")
def save_threshold_page(key: str):
    known(key)
    form = ThresholdForm(prefix=key)
    if not form.validate():
        return render_thresholds(400, (key, form))
    try:
        save(key, parsed_number(form.value.data), current_user.id)
    except ValueError as reason:
        db.session.rollback()
        form.value.errors.append(str(reason))
        return render_thresholds(400, (key, form))
    db.session.commit()
    flash(_("Saved: %(title)s.", title=TITLES[key]), "ok")
    return redirect(url_for("admin.thresholds_page"))


@pages.post("/thresholds/<key>/reset")
@roles_required("admin")
def reset_threshold_page(key: str):
    known(key)
    if not ResetForm().validate():
        return render_thresholds(400)
    forget(key)
    db.session.commit()
    flash(_("Back to the default: %(title)s.", title=TITLES[key]), "ok")
    return redirect(url_for("admin.thresholds_page"))


@api.get("/thresholds")
@roles_required("admin")
@api.response(200, ThresholdsSchema, description="By key.")
def thresholds_api():
    """Thresholds and targets in force"""
    return thresholds_in_force()


@api.put("/thresholds/<key>", parameters=[KEY])
@roles_required("admin")
@api.arguments(NewValueSchema)
@api.response(200, ThresholdSchema, description="The threshold.")
@api.refuses(404, "No such threshold.")
def save_threshold_api(body: dict, key: str):
    """Save a threshold (400 outside its limits)"""
    known(key)
    try:
        save(key, body["value"], current_user.id)
    except ValueError as reason:
        db.session.rollback()
        abort(400, f"value: {reason}")
    db.session.commit()
    reread()
    return thresholds_in_force()[key]


@api.delete("/thresholds/<key>", parameters=[KEY])
@roles_required("admin")
@api.response(200, ThresholdSchema, description="The threshold.")
@api.refuses(404, "No such threshold.")
def reset_threshold_api(key: str):
    """The default again"""
    known(key)
    forget(key)
    db.session.commit()
    reread()
    return thresholds_in_force()[key]
