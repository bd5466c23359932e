"""The words pages show for the service's codes, in the reader's language: priorities, reasons,
languages, roles, presence states, call statuses, audited actions (English source strings,
translated through Flask-Babel), and taxonomy labels. One table each, for every page and script."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

PRIORITIES = {"emergency": _l("Danger now"), "high": _l("High"), "elevated": _l("Raised"), "normal": _l("Routine")}
REASONS = {
    "danger_now": _l("Someone in danger now"),
    "previous_high_risk": _l("Earlier call was high risk"),
    "repeat_caller": _l("Repeat caller"),
    "no_choice": _l("Made no menu choice"),
    "waiting_long": _l("Waiting long: moved up"),
}
LANGUAGES = {"fa": _l("Persian"), "en": _l("English"), "tg": _l("Tajik")}
# Each language in its own words: the language choice, which a reader must find whatever the page's.
ENDONYMS = {"fa": "فارسی", "en": "English", "tg": "Тоҷикӣ"}
# What an alert says, by kind (and risk), with the alert's parameters in the {name} marks.
ALERT_MESSAGES = {
    "high_risk_logged.high": _l("{counselor} logged a call at high risk"),
    "high_risk_logged.imminent": _l("{counselor} logged a call at imminent risk"),
    "danger_now_waiting": _l("A caller in danger now has waited {seconds} s"),
}
ROLES = {"counselor": _l("Counselor"), "supervisor": _l("Supervisor"), "admin": _l("Administrator")}
PRESENCE_STATES = {
    "available": _l("Available"),
    "on_call": _l("On a call"),
    "wrap_up": _l("Wrap-up"),
    "break": _l("On a break"),
    "offline": _l("Offline"),
}
STATUSES = {
    "queued": _l("Queued"),
    "initiated": _l("Started"),
    "ringing": _l("Ringing"),
    "in-progress": _l("In progress"),
    "completed": _l("Completed"),
    "busy": _l("Busy"),
    "failed": _l("Failed"),
    "no-answer": _l("No answer"),
    "canceled": _l("Cancelled"),
}
QUEUE_RESULTS = {
    "bridged": _l("Connected to a counselor"),
    "bridging-in-process": _l("Being connected"),
    "hangup": _l("Hung up while waiting"),
    "redirected": _l("Taken out of the queue"),
    "redirected-from-waitUrl": _l("Taken out of the queue"),
    "leave": _l("Left the queue"),
    "queue-full": _l("Queue full"),
    "error": _l("Error"),
    "system-error": _l("System error"),
}
ACTIONS = {
    "reveal_number": _l("Revealed the caller's number"),
    "retention": _l("Applied the retention policy to old calls"),
}
REVEAL_RESULTS = {
    "revealed": _l("Number shown"),
    "withheld": _l("The caller withheld their number"),
    "none": _l("No number was recorded"),
    "unreadable": _l("The stored number could not be decrypted"),
}


@dataclass(frozen=True)
class Names:
    """The labels of one page, in the reader's language."""

    language: str

    def taxonomy(self, key: str | None) -> str:
        if not key:
            return "–"
        try:
            return current_app.extensions["helpline.taxonomy"].label(key, self.language)
        except KeyError:
            # Logged under an earlier taxonomy that had this key: the key still says something.
            return key

    @staticmethod
    def of(table: dict[str, LazyString], key: str | None) -> str:
        if not key:
            return "–"
        return str(table.get(key, key))

    def priority(self, key: str | None, emergency: bool = False) -> str:
        return self.of(PRIORITIES, "emergency" if emergency else key)

    def reason(self, key: str) -> str:
        return self.of(REASONS, key)

    def language_name(self, code: str | None) -> str:
        return self.of(LANGUAGES, code)

    def status(self, key: str | None) -> str:
        return self.of(STATUSES, key)

    def queue_result(self, key: str | None) -> str:
        return self.of(QUEUE_RESULTS, key)

    def action(self, key: str) -> str:
        return self.of(ACTIONS, key)

    def reveal_result(self, key: str | None) -> str:
        return self.of(REVEAL_RESULTS, key)


def as_text(table: dict[str, LazyString]) -> dict[str, str]:
    """A table in the reader's language, for a script's JSON."""
    return {key: str(word) for key, word in table.items()}
