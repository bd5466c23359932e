"""Languages of the pages: dates, times and numbers as each language writes them, and the
user's choice of language.

Persian dates are in the Jalali (Solar Hijri) calendar with Persian month names and digits;
English and Tajik dates are Gregorian (Tajik month names from Babel's `tg` locale). Times are
the helpline's local time (HELPLINE_UTC_OFFSET_MINUTES from UTC), on a 24-hour clock. The
formatting functions are pure: language and offset are arguments. `init_app` registers them as
Jinja filters that take both from the request (the page's language, the app's offset).

Choosing a language: a form in every page's header (POST /language, with the CSRF token) and
PUT /api/me/language for scripts; both save `users.language`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

import jdatetime
from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal
from flask import Blueprint, Flask, abort, redirect, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from marshmallow import EXCLUDE, Schema, fields
from marshmallow.validate import OneOf

from helpline import words
from helpline.auth import roles_required, same_site_path
from helpline.db import db
from helpline.models import ROLES
from helpline.openapi.blueprint import ApiBlueprint
from helpline.periods import utc_offset_minutes, zone
from helpline.taxonomy import LANGUAGES

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
PERSIAN_DECIMAL_SEPARATOR = "٫"
PERSIAN_GROUP_SEPARATOR = "٬"
PERSIAN_PERCENT_SIGN = "٪"
PERSIAN_COMMA = "،"
JALALI_MONTHS = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)


# ---------------------------------------------------------------------------------------
# Pure formatting


def persian_digits(text: str) -> str:
    return text.translate(PERSIAN_DIGITS)


def local_moment(value: datetime | str, utc_offset_minutes: int) -> datetime:
    """A UTC datetime (or ISO 8601 string) in the helpline's local time; naive means UTC."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone(utc_offset_minutes))


def local_day(value: date | datetime | str, utc_offset_minutes: int) -> date:
    """The local calendar day: a date (or YYYY-MM-DD) is one already; a moment is converted."""
    if isinstance(value, str) and len(value) == 10:
        return date.fromisoformat(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return local_moment(value, utc_offset_minutes).date()


def format_day(day: date, language: str) -> str:
    """1 فروردین ۱۴۰۳ · 20 March 2024 · 20 Март 2024."""
    if language == "fa":
        jalali = jdatetime.date.fromgregorian(date=day)
        return persian_digits(f"{jalali.day} {JALALI_MONTHS[jalali.month - 1]} {jalali.year}")
    return babel_format_date(day, "d MMMM y", locale=language)


def format_clock(moment: datetime, language: str, seconds: bool = False) -> str:
    """14:05 (or 14:05:09), in Persian digits for Persian."""
    text = moment.strftime("%H:%M:%S" if seconds else "%H:%M")
    return persian_digits(text) if language == "fa" else text


def format_local_datetime(value: datetime | str, language: str, utc_offset_minutes: int, seconds: bool = False) -> str:
    moment = local_moment(value, utc_offset_minutes)
    separator = PERSIAN_COMMA if language == "fa" else ","
    return f"{format_day(moment.date(), language)}{separator} {format_clock(moment, language, seconds)}"


def format_local_date(value: date | datetime | str, language: str, utc_offset_minutes: int) -> str:
    return format_day(local_day(value, utc_offset_minutes), language)


def format_local_time(value: datetime | str, language: str, utc_offset_minutes: int, seconds: bool = False) -> str:
    return format_clock(local_moment(value, utc_offset_minutes), language, seconds)


def format_number(value: float | Decimal, language: str, decimals: int = 2) -> str:
    """At most `decimals` digits after the separator: 1,234.5 · 1 234,5 · ۱٬۲۳۴٫۵."""
    pattern = "#,##0" + ("." + "#" * decimals if decimals > 0 else "")
    # str() first: a float's shortest form, so 0.825 * 100 is 82.5 and not 82.49999…; halves
    # round up, as people (and the browser's Intl.NumberFormat) do.
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    if language == "fa":
        text = format_decimal(number, pattern, locale="en")
        text = text.replace(",", "\0").replace(".", PERSIAN_DECIMAL_SEPARATOR).replace("\0", PERSIAN_GROUP_SEPARATOR)
        return persian_digits(text)
    return format_decimal(number, pattern, locale=language)


def format_percent(ratio: float | Decimal, language: str, decimals: int = 1) -> str:
    """A ratio (0..1) as a percentage: 82.5% · 82,5% · ۸۲٫۵٪."""
    number = Decimal(str(ratio)) * 100
    sign = PERSIAN_PERCENT_SIGN if language == "fa" else "%"
    return format_number(number, language, decimals) + sign


# ---------------------------------------------------------------------------------------
# Jinja filters: the page's language and the helpline's offset


RIGHT_TO_LEFT = {"fa"}


def page_language() -> str:
    """The user's chosen language; for the anonymous, the browser's best match."""
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    if not request:
        return LANGUAGES[0]
    # Browsers in Tajikistan are often set to Russian: Tajik is their page.
    best = request.accept_languages.best_match((*LANGUAGES, "ru"), default=LANGUAGES[0])
    return "tg" if best == "ru" else best


def page_direction() -> str:
    return "rtl" if page_language() in RIGHT_TO_LEFT else "ltr"


def page_language_code() -> str:
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else LANGUAGES[0]


Moment = datetime | str | None


def local_datetime_filter(value: Moment, seconds: bool = False) -> str:
    return "" if value is None else format_local_datetime(value, page_language_code(), utc_offset_minutes(), seconds)


def local_date_filter(value: date | Moment) -> str:
    return "" if value is None else format_local_date(value, page_language_code(), utc_offset_minutes())


def local_time_filter(value: Moment, seconds: bool = False) -> str:
    return "" if value is None else format_local_time(value, page_language_code(), utc_offset_minutes(), seconds)


def local_number_filter(value: float | Decimal | None, decimals: int = 2) -> str:
    return "" if value is None else format_number(value, page_language_code(), decimals)


def local_percent_filter(value: float | Decimal | None, decimals: int = 1) -> str:
    return "" if value is None else format_percent(value, page_language_code(), decimals)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        local_datetime=local_datetime_filter,
        local_date=local_date_filter,
        local_time=local_time_filter,
        local_number=local_number_filter,
        local_percent=local_percent_filter,
    )
    app.context_processor(
        lambda: {"page_language": page_language(), "page_direction": page_direction(), "words": words}
    )


# ---------------------------------------------------------------------------------------
# Choosing a language

bp = Blueprint("i18n", __name__)
api_bp = ApiBlueprint("i18n_api", __name__, url_prefix="/api")


class LanguageSchema(Schema):
    language = fields.String(required=True, validate=OneOf(LANGUAGES, error=f"must be one of {', '.join(LANGUAGES)}"))

    class Meta:
        unknown = EXCLUDE


def checked_language(value: object) -> str:
    if value not in LANGUAGES:
        abort(400, f"language must be one of {', '.join(LANGUAGES)}")
    return value


@bp.post("/language")
@roles_required(*ROLES)
def choose_language():
    current_user.language = checked_language(request.form.get("language"))
    db.session.commit()
    return redirect(same_site_path(request.form.get("next")) or url_for("pages.dashboard"))


@api_bp.put("/me/language")
@roles_required(*ROLES)
@api_bp.arguments(LanguageSchema)
@api_bp.response(200, LanguageSchema, description="Chosen.")
def put_language(body: dict):
    """Choose the user's language"""
    current_user.language = body["language"]
    db.session.commit()
    return current_user
