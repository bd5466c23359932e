"""The audited reveal of a caller's number: the reason's rules, the decryption and the record.

Every attempt with a valid reason on a known call is recorded, including those that show no
number (withheld, none recorded, undecryptable): the audit log answers "who tried to learn
this caller's number, and why", not only "who learnt it". The number itself goes nowhere but
the one response: not to the database, the session, a URL or a log line.
"""

import logging
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from cryptography.fernet import InvalidToken
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from helpline import caller_privacy
from helpline.db import db
from helpline.models import AuditRecord, Call

log = logging.getLogger(__name__)

ACTION = "reveal_number"
MAX_REASON = 500
# Offered as suggestions; the reason stays free text, and required.
TYPICAL_REASONS = (
    _l("Calling back a caller at risk who was cut off"),
    _l("Emergency services need the number to reach the caller"),
    _l("Follow-up call agreed with the caller"),
    _l("Child protection referral"),
    _l("Court or police request"),
)
# Characters a typed reason may hold although they are control characters.
ALLOWED_CONTROLS = {"\n", "\r", "\t"}


class ReasonError(ValueError):
    """The reason given is not acceptable; the message says why, in the reader's language."""


@dataclass(frozen=True)
class Reveal:
    result: str
    # Kept out of repr, so the number cannot reach a log line through a traceback or a debug print.
    number: str | None = field(default=None, repr=False)


def checked_reason(value: object) -> str:
    """The reason, trimmed; ReasonError when missing, too long, or holding control characters."""
    reason = value.strip() if isinstance(value, str) else ""
    if not reason:
        raise ReasonError(_("Give a reason for revealing the number."))
    if len(reason) > MAX_REASON:
        raise ReasonError(_("The reason may have at most %(limit)d characters.", limit=MAX_REASON))
    if any(unicodedata.category(char) == "Cc" and char not in ALLOWED_CONTROLS for char in reason):
        raise ReasonError(_("The reason may not hold control characters."))
    return reason


def decrypted_number(call: Call) -> Reveal:
    if call.caller_encrypted is None:
        return Reveal("withheld" if call.caller_masked == "withheld" else "none")
    try:
        number = caller_privacy.reveal(call.caller_encrypted, current_app.config["CALLER_ENCRYPTION_KEY"])
    except InvalidToken:
        log.error("call %s: its number cannot be decrypted with CALLER_ENCRYPTION_KEY (a changed key?)", call.call_sid)
        return Reveal("unreadable")
    return Reveal("revealed", number)


def reveal_number(call: Call, user_id: int, reason: str, via: str, now: datetime) -> Reveal:
    """The number, with the audit record added to the session: the view commits the record
    before it shows the number, so no number is ever shown unrecorded."""
    outcome = decrypted_number(call)
    db.session.add(
        AuditRecord(
            at=now,
            user_id=user_id,
            action=ACTION,
            call_sid=call.call_sid,
            reason=reason,
            details={"result": outcome.result, "via": via},
        )
    )
    return outcome
