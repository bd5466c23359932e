"""Playing the telephony provider: call SIDs, and signed form posts as Twilio sends them."""

import uuid
from urllib.parse import urlencode

import requests
from twilio.request_validator import RequestValidator

from config import TestingConfig


def new_call_sid() -> str:
    return "CA" + uuid.uuid4().hex


def path_with(path: str, **query) -> str:
    return f"{path}?{urlencode(query)}" if query else path


class Provider:
    """Plays the telephony provider: signed form posts, as Twilio sends them."""

    base_url = "http://localhost"

    def __init__(self, client, auth_token: str):
        self.client = client
        self.validator = RequestValidator(auth_token)

    def sign(self, url: str, params: dict) -> str:
        return self.validator.compute_signature(url, params)

    def post(self, path: str, params: dict, *, signature: str | None = None, headers: dict | None = None):
        url = self.base_url + path
        headers = {"X-Twilio-Signature": signature if signature is not None else self.sign(url, params), **(headers or {})}
        return self.client.post(path, data=params, headers=headers)

    @staticmethod
    def params(call_sid: str, caller: str = "+989121234567", **extra) -> dict:
        return {
            "CallSid": call_sid,
            "AccountSid": TestingConfig.TWILIO_ACCOUNT_SID,
            "From": caller,
            "To": "+981480",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            **extra,
        }


class HttpProvider:
    """The provider over real HTTP, to a served app: signed form posts to `base_url`."""

    def __init__(self, base_url: str, auth_token: str, session: requests.Session | None = None, timeout: float = 30):
        self.base_url = base_url
        self.validator = RequestValidator(auth_token)
        self.session = session or requests.Session()
        self.timeout = timeout

    def post(self, path: str, params: dict) -> requests.Response:
        url = self.base_url + path
        signature = self.validator.compute_signature(url, params)
        return self.session.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=self.timeout)
