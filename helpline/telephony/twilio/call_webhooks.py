"""What the provider's call webhooks share (the voice views and the counselor's leg): the menu in
force, the caller's language, the event each webhook records, and the TwiML that greets and queues."""

from email.utils import parsedate_to_datetime

from flask import Response, abort, current_app, has_request_context, request, url_for
from sqlalchemy.exc import SQLAlchemyError

from helpline import call_log, clock
from helpline.call_log import WebhookEvent
from helpline.caller_privacy import protect
from helpline.db import db, read_only_transaction
from helpline.in_force.phone_menu import menu_in_force
from helpline.in_force.saved import shared_values
from helpline.menu import Language, Menu
from helpline.telephony.twilio import twiml
from helpline.telephony.twilio.webhook_checks import provider_params, signed_url
from helpline.triage import MenuOutcome
from helpline.webhook_recording import rollback_quietly

# Far more returns to the queue than a real call makes; past it the URL is not ours.
MAX_EPISODES = 10_000


def current_menu() -> Menu:
    """The file's menu with an administrator's changes (the file's alone if they cannot be read)."""
    if has_request_context() and not db.session().in_transaction() and shared_values() is None:
        # A reader's transaction: on SQLite another writer's lock would otherwise make the
        # webhook wait out the timeout here, and again for its own write.
        try:
            read_only_transaction()
        except SQLAlchemyError:
            # No database: the menu falls back to the file's below.
            rollback_quietly()
    return menu_in_force()


def caller_language() -> Language:
    return current_menu().language(request.args.get("lang"))


def twiml_response(document: str) -> Response:
    return Response(document, mimetype="text/xml")


def queue_episode() -> int:
    """Which stay in the queue this webhook is about: our own URLs carry it."""
    episode = request.args.get("episode", "0")
    if not episode.isdigit() or int(episode) > MAX_EPISODES:
        abort(400, f"episode must be a whole number up to {MAX_EPISODES}")
    return int(episode)


def webhook_event(kind: str, decision: MenuOutcome | None = None) -> WebhookEvent:
    config = current_app.config
    params = provider_params()
    received_at = clock.now()
    occurred_at = parsedate_to_datetime(params["Timestamp"]) if "Timestamp" in params else received_at
    caller = None
    if "From" in params:
        caller = protect(params["From"], config["CALLER_HASH_KEY"], config["CALLER_ENCRYPTION_KEY"])
    return WebhookEvent(
        kind=kind,
        call_sid=params["CallSid"],
        dedupe_key=call_log.dedupe_key(kind, signed_url(), params, config["CALLER_HASH_KEY"]),
        received_at=received_at,
        occurred_at=occurred_at,
        params=call_log.redact(params),
        caller=caller,
        language=caller_language().code if kind != "status" else None,
        decision=decision,
        episode=queue_episode(),
    )


def enqueue_twiml(language: Language, *, emergency: bool, episode: int = 0) -> str:
    # The danger-now mark rides along in our own URLs, so the hold message is right even
    # while the database does not answer; the episode tells each return to the queue
    # apart from a retried delivery of the one before.
    marks = {"lang": language.code, **({"emergency": 1} if emergency else {}), **({"episode": episode} if episode else {})}
    return twiml.enqueue(
        language,
        queue_name=current_app.config["TWILIO_QUEUE_NAME"],
        action_url=url_for("voice.queue_result", **marks),
        wait_url=url_for("voice.wait", **marks),
        requeue=episode > 0,
    )


def menu_twiml(language: Language, *, attempt: int) -> str:
    return twiml.menu(
        language,
        gather_url=url_for("voice.menu", attempt=attempt, lang=language.code),
        silence_url=url_for("voice.enqueue", lang=language.code),
        timeout=current_menu().gather_timeout,
        greet=attempt == 1,
    )
