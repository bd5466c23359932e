"""Calls to the provider's REST API, through the twilio library's client.

`TWILIO_API_BASE_URL` points the client elsewhere (the telephony emulator in demos and tests).
"""

import logging

from flask import current_app
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

log = logging.getLogger(__name__)

# A counselor waits on this: fail fast and leave the caller queued.
REST_TIMEOUT_SECONDS = 5


class ProviderUnavailable(Exception):
    """The provider did not do what was asked; `str()` says what, without secrets."""


def client() -> Client:
    config = current_app.config
    rest = Client(
        config["TWILIO_ACCOUNT_SID"],
        config["TWILIO_AUTH_TOKEN"],
        http_client=TwilioHttpClient(timeout=REST_TIMEOUT_SECONDS),
    )
    if config["TWILIO_API_BASE_URL"]:
        rest.api.base_url = config["TWILIO_API_BASE_URL"].rstrip("/")
    return rest


def redirect_caller(call_sid: str, queue_sid: str | None, url: str) -> None:
    """Take a caller out of the queue to the TwiML at `url`.

    Through the queue member when the queue is known, else by redirecting the call itself.
    """
    try:
        rest = client()
        if queue_sid:
            rest.queues(queue_sid).members(call_sid).update(url=url, method="POST")
        else:
            rest.calls(call_sid).update(url=url, method="POST")
    except TwilioException as error:
        status = getattr(error, "status", None)
        log.warning("redirecting %s failed: %s %s", call_sid, type(error).__name__, status)
        raise ProviderUnavailable(f"the provider refused the redirect ({status or type(error).__name__})") from None
    except OSError as error:
        log.warning("redirecting %s failed: %s", call_sid, type(error).__name__)
        raise ProviderUnavailable("the provider did not answer") from None
