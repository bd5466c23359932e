"""The phone menu's prompts and keys: /admin/menu and /api/admin/menu.

    GET    /api/admin/menu                        the menu in force: keys, emergency key, prompts per language
    PUT    /api/admin/menu/keys                   {digit: category or null}: the whole mapping
    PUT    /api/admin/menu/prompts/<lang>/<name>  {"say": text} or {"play": URL}
    DELETE /api/admin/menu                        the file's menu again
"""

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from marshmallow import INCLUDE, Schema, fields
from wtforms import RadioField, SelectChoice, SelectField, SubmitField, TextAreaField

from helpline import words
from helpline.admin.blueprints import api, pages
from helpline.auth import roles_required
from helpline.db import db
from helpline.in_force.phone_menu import (
    DIGITS,
    PLACEHOLDERS,
    MenuChangeError,
    checked_keys,
    checked_prompt,
    file_menu,
    menu_in_force,
    prompt_json,
    put_keys,
    put_prompts,
    reset_menu,
    top_level_categories,
)
from helpline.in_force.saved import reread
from helpline.in_force.taxonomy_labels import current_taxonomy
from helpline.menu import PROMPT_NAMES, Menu

PROMPT_TITLES = {
    "greeting": _l("Greeting"),
    "menu": _l("The menu: which key for what"),
    "invalid_choice": _l("A wrong key"),
    "connecting": _l("Joining the queue"),
    "position": _l("Place in the queue"),
    "expected_wait": _l("Expected wait"),
    "emergency_hold": _l("Danger now: while waiting"),
    "requeue": _l("Back in the queue"),
    "goodbye": _l("Goodbye"),
}
KIND_CHOICES = [SelectChoice("say", _l("Spoken text")), SelectChoice("play", _l("Recording (http:// or https:// URL)"))]

KeysForm = type(
    "KeysForm",
    (FlaskForm,),
    {
        **{f"key_{digit}": SelectField(_l("Key %(digit)s", digit=digit), validate_choice=False) for digit in DIGITS},
        "submit": SubmitField(_l("Save the keys")),
    },
)
PromptsForm = type(
    "PromptsForm",
    (FlaskForm,),
    {
        **{f"{name}_kind": RadioField(PROMPT_TITLES[name], choices=KIND_CHOICES, validate_choice=False) for name in PROMPT_NAMES},
        **{f"{name}_text": TextAreaField(_l("Text, or the URL of the recording")) for name in PROMPT_NAMES},
        "submit": SubmitField(_l("Save the prompts")),
    },
)


class ResetForm(FlaskForm):
    """Only the CSRF token."""


def known_language(code: str) -> str:
    if code not in file_menu().languages:
        abort(404, _("the menu has no such language"))
    return code


def menu_json(menu: Menu) -> dict:
    return {
        "keys": menu.keys,
        "emergency_key": menu.emergency_key,
        "default_category": menu.default_category,
        "languages": {
            code: {name: prompt_json(language.prompts[name]) for name in PROMPT_NAMES}
            for code, language in menu.languages.items()
        },
    }


def keys_form(bind: bool = False) -> FlaskForm:
    """The key mapping in force (or, bound, as posted), with top-level categories labelled in
    the admin's language."""
    taxonomy, language = current_taxonomy(), get_locale().language
    choices = [SelectChoice("", _("(nothing)"))]
    choices += [SelectChoice(entry.key, taxonomy.label(entry.key, language)) for entry in taxonomy.categories]
    mapping = menu_in_force().keys
    unbound = {} if bind else {"formdata": None}
    form = KeysForm(data={f"key_{digit}": mapping.get(digit, "") for digit in DIGITS}, **unbound)
    for digit in DIGITS:
        form[f"key_{digit}"].choices = choices
    return form


def prompts_form(code: str, bind: bool = False) -> FlaskForm:
    prompts = menu_in_force().languages[code].prompts
    data = {}
    for name in PROMPT_NAMES:
        data[f"{name}_kind"] = "play" if prompts[name].play else "say"
        data[f"{name}_text"] = prompts[name].play or prompts[name].say
    return PromptsForm(data=data, **({} if bind else {"formdata": None}))


def render_menu(form: FlaskForm | None = None, status: int = 200):
    menu = menu_in_force()
    return render_template(
        "admin/menu.html", form=form or keys_form(), menu=menu, digits=DIGITS, languages=menu.languages,
        language_titles=words.LANGUAGES, reset_form=ResetForm(formdata=None),
    ), status


def render_prompts(code: str, form: FlaskForm, status: int = 200):
    return render_template(
        "admin/menu_prompts.html", code=code, form=form, names=PROMPT_NAMES, titles=PROMPT_TITLES,
        placeholders=PLACEHOLDERS, file_prompts=file_menu().languages[code].prompts,
        language_titles=words.LANGUAGES,
    ), status


@pages.get("/menu")
@roles_required("admin")
def menu_page():
    return render_menu()


@pages.post("/menu/keys")
@roles_required("admin")
def menu_keys_page():
    form = keys_form(bind=True)
    if not form.validate():
        return render_menu(form, 400)
    try:
        keys = checked_keys({digit: form[f"key_{digit}"].data for digit in DIGITS}, file_menu(), top_level_categories())
    except MenuChangeError as error:
        form[f"key_{error.field}"].errors.append(error.reason)
        return render_menu(form, 400)
    put_keys(keys, current_user.id)
    db.session.commit()
    flash(_("The menu's keys are saved. Check that the menu prompt still says them."), "ok")
    return redirect(url_for("admin.menu_page"))


@pages.route("/menu/prompts/<code>", methods=["GET", "POST"])
@roles_required("admin")
def menu_prompts_page(code: str):
    known_language(code)
    if request.method == "GET":
        return render_prompts(code, prompts_form(code))
    form = prompts_form(code, bind=True)
    prompts = {}
    if form.validate():
        for name in PROMPT_NAMES:
            try:
                prompts[name] = checked_prompt(name, form[f"{name}_kind"].data, form[f"{name}_text"].data)
            except MenuChangeError as error:
                form[f"{name}_text"].errors.append(error.reason)
    if len(prompts) != len(PROMPT_NAMES):
        return render_prompts(code, form, 400)
    put_prompts(code, prompts, current_user.id)
    db.session.commit()
    flash(_("The prompts are saved."), "ok")
    return redirect(url_for("admin.menu_prompts_page", code=code))


@pages.post("/menu/reset")
@roles_required("admin")
def reset_menu_page():
    if not ResetForm().validate():
        return render_menu(status=400)
    reset_menu()
    db.session.commit()
    flash(_("The menu is the file's again."), "ok")
    return redirect(url_for("admin.menu_page"))


class PromptSchema(Schema):
    """Spoken text, or the URL of a recording (one of the two)."""

    say = fields.String()
    play = fields.String(metadata={"format": "uri"})


class MenuSchema(Schema):
    keys = fields.Dict(keys=fields.String(), values=fields.String(), required=True, metadata={"description": "Categories by digit."})
    emergency_key = fields.String(required=True)
    default_category = fields.String(required=True)
    languages = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Nested(PromptSchema)),
        required=True,
        metadata={"description": "Each language's prompts by name."},
    )


class CheckedLater(Schema):
    """A body `helpline.in_force.phone_menu` checks (as it does the page's), naming what is wrong."""

    class Meta:
        unknown = INCLUDE


MenuKeysSchema = CheckedLater.from_dict(
    {digit: fields.Raw(allow_none=True, metadata={"type": "string", "description": "A top-level category, or null."}) for digit in "0123456789"},
    name="MenuKeys",
)
NewPromptSchema = CheckedLater.from_dict(
    {"say": fields.Raw(metadata={"type": "string"}), "play": fields.Raw(metadata={"type": "string", "format": "uri"})},
    name="NewPrompt",
)
PROMPT_PARAMETERS = [
    {"in": "path", "name": "code", "description": "A language of the menu."},
    {"in": "path", "name": "name", "schema": {"type": "string", "enum": list(PROMPT_NAMES)}, "description": "The prompt."},
]


@api.get("/menu")
@roles_required("admin")
@api.response(200, MenuSchema, description="The menu.")
def menu_api():
    """The phone menu in force"""
    return menu_json(menu_in_force())


@api.put("/menu/keys")
@roles_required("admin")
@api.arguments(MenuKeysSchema)
@api.response(200, MenuSchema, description="The menu.")
@api.refuses(400, "A bad key or category, named in `field`.")
def save_menu_keys_api(body: dict):
    """The whole key mapping: digits to top-level categories (null: no category)"""
    try:
        keys = checked_keys(body, file_menu(), top_level_categories())
    except MenuChangeError as error:
        return jsonify(error=str(error), field=error.field), 400
    put_keys(keys, current_user.id)
    db.session.commit()
    reread()
    return menu_json(menu_in_force())


@api.put("/menu/prompts/<code>/<name>", parameters=PROMPT_PARAMETERS)
@roles_required("admin")
@api.arguments(NewPromptSchema)
@api.response(200, MenuSchema, description="The menu.")
@api.refuses(400, "A bad prompt or text, named in `field`.")
@api.refuses(404, "The menu has no such language.")
def save_menu_prompt_api(body: dict, code: str, name: str):
    """One prompt of one language"""
    known_language(code)
    if len(body) != 1:
        abort(400, _("send {\"say\": text} or {\"play\": URL}"))
    try:
        prompt = checked_prompt(name, *next(iter(body.items())))
    except MenuChangeError as error:
        return jsonify(error=str(error), field=error.field), 400
    put_prompts(code, {name: prompt}, current_user.id)
    db.session.commit()
    reread()
    return menu_json(menu_in_force())


@api.delete("/menu")
@roles_required("admin")
@api.response(200, MenuSchema, description="The menu.")
def reset_menu_api():
    """The file's menu again"""
    reset_menu()
    db.session.commit()
    reread()
    return menu_json(menu_in_force())
