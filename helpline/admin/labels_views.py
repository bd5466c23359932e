"""Labels of the taxonomy: /admin/labels and /api/admin/labels.

    GET    /api/admin/labels          {"labels": {key: {language: label}}, "changed": {key: {language: label}}}
    PUT    /api/admin/labels/<key>    {language: label or null (the file's label)} → that entry
    DELETE /api/admin/labels/<key>    the file's labels again
"""

from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from marshmallow import INCLUDE, Schema, fields
from wtforms import StringField, SubmitField

from helpline import words
from helpline.admin.blueprints import api, pages
from helpline.auth import roles_required
from helpline.db import db
from helpline.in_force.saved import reread
from helpline.in_force.taxonomy_labels import (
    MAX_LABEL,
    LabelError,
    checked_labels,
    current_taxonomy,
    entry_keys,
    file_taxonomy,
    put_labels,
    reset_labels,
    saved_overrides,
)
from helpline.taxonomy import LANGUAGES, Entry

SECTION_TITLES = {
    "categories": _l("Categories"),
    "call_types": _l("Call types"),
    "outcomes": _l("Outcomes"),
    "risk_levels": _l("Risk levels"),
}


class LabelsForm(FlaskForm):
    fa = StringField(words.LANGUAGES["fa"])
    en = StringField(words.LANGUAGES["en"])
    tg = StringField(words.LANGUAGES["tg"])
    submit = SubmitField(_l("Save the labels"))


class ResetForm(FlaskForm):
    """Only the CSRF token."""


def known(key: str) -> str:
    if key not in entry_keys(file_taxonomy()):
        abort(404, _("no such key in the taxonomy"))
    return key


def sections() -> list[tuple[str, list[tuple[Entry, int]]]]:
    """The file's entries by section, children after their group (depth 1)."""
    taxonomy = file_taxonomy()
    categories = [(row, depth) for top in taxonomy.categories for row, depth in [(top, 0), *((c, 1) for c in top.children)]]
    return [
        (SECTION_TITLES["categories"], categories),
        (SECTION_TITLES["call_types"], [(entry, 0) for entry in taxonomy.call_types]),
        (SECTION_TITLES["outcomes"], [(entry, 0) for entry in taxonomy.outcomes]),
        (SECTION_TITLES["risk_levels"], [(entry, 0) for entry in taxonomy.risk_level_entries]),
    ]


def labels_in_force(key: str) -> dict[str, str]:
    return {language: current_taxonomy().label(key, language) for language in LANGUAGES}


def entry_json(key: str) -> dict:
    return {"key": key, "labels": labels_in_force(key), "changed": saved_overrides().get(key, {})}


def render_entry(key: str, form: LabelsForm, status: int = 200):
    file_labels = {language: file_taxonomy().label(key, language) for language in LANGUAGES}
    return render_template(
        "admin/label.html", key=key, form=form, file_labels=file_labels, changed=saved_overrides().get(key, {}),
        reset_form=ResetForm(formdata=None),
    ), status


@pages.get("/labels")
@roles_required("admin")
def labels_page():
    return render_template(
        "admin/labels.html", sections=sections(), taxonomy=current_taxonomy(), changed=saved_overrides(),
        languages=LANGUAGES, language_titles=words.LANGUAGES,
    )


@pages.route("/labels/<key>", methods=["GET", "POST"])
@roles_required("admin")
def label_page(key: str):
    known(key)
    form = LabelsForm(data=labels_in_force(key))
    if not form.is_submitted():
        return render_entry(key, form)
    if not form.validate():
        return render_entry(key, form, 400)
    try:
        labels = checked_labels(key, {language: form[language].data for language in LANGUAGES})
    except LabelError as error:
        form[error.field].errors.append(error.reason)
        return render_entry(key, form, 400)
    put_labels(key, labels, current_user.id)
    db.session.commit()
    flash(_("Labels of %(key)s saved.", key=key), "ok")
    return redirect(url_for("admin.labels_page", _anchor=f"key-{key}"))


@pages.post("/labels/<key>/reset")
@roles_required("admin")
def reset_label_page(key: str):
    known(key)
    if not ResetForm().validate():
        return render_entry(key, LabelsForm(formdata=None, data=labels_in_force(key)), 400)
    reset_labels(key, current_user.id)
    db.session.commit()
    flash(_("Labels of %(key)s are the file's again.", key=key), "ok")
    return redirect(url_for("admin.labels_page", _anchor=f"key-{key}"))


def labels_by_language() -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.String(), required=True, metadata={"description": "Labels by language."})


class LabelEntrySchema(Schema):
    key = fields.String(required=True)
    labels = labels_by_language()
    changed = labels_by_language()


class LabelsSchema(Schema):
    labels = fields.Dict(keys=fields.String(), values=labels_by_language(), required=True, metadata={"description": "By key."})
    changed = fields.Dict(keys=fields.String(), values=labels_by_language(), required=True, metadata={"description": "By key."})


class LabelsBody(Schema):
    """Labels by language, null for the file's label again; checked by `checked_labels` (as the
    page's are), which names a language it does not know."""

    class Meta:
        unknown = INCLUDE


NewLabelsSchema = LabelsBody.from_dict(
    {
        language: fields.Raw(allow_none=True, metadata={"type": "string", "minLength": 1, "maxLength": MAX_LABEL})
        for language in LANGUAGES
    },
    name="NewLabels",
)

LABEL_KEY = {"in": "path", "name": "key", "description": "A key of the taxonomy (a category, call type, outcome or risk level)."}


@api.get("/labels")
@roles_required("admin")
@api.response(200, LabelsSchema, description="Labels by key.")
def labels_api():
    """The taxonomy's labels in force, and those an admin changed"""
    return {"labels": {key: labels_in_force(key) for key in sorted(entry_keys(file_taxonomy()))}, "changed": saved_overrides()}


@api.put("/labels/<key>", parameters=[LABEL_KEY])
@roles_required("admin")
@api.arguments(NewLabelsSchema)
@api.response(200, LabelEntrySchema, description="The entry.")
@api.refuses(400, "A bad label, its language in `field`.")
@api.refuses(404, "No such key.")
def save_labels_api(body: dict, key: str):
    """Change an entry's labels (null: the file's label again)"""
    known(key)
    try:
        labels = checked_labels(key, body)
    except LabelError as error:
        return jsonify(error=str(error), field=error.field), 400
    put_labels(key, labels, current_user.id)
    db.session.commit()
    reread()
    return entry_json(key)


@api.delete("/labels/<key>", parameters=[LABEL_KEY])
@roles_required("admin")
@api.response(200, LabelEntrySchema, description="The entry.")
@api.refuses(404, "No such key.")
def reset_labels_api(key: str):
    """The file's labels again"""
    known(key)
    reset_labels(key, current_user.id)
    db.session.commit()
    reread()
    return entry_json(key)
