"""Signed form POSTs to the service, as the provider sends them, and their bookkeeping.

A `Delivery` is one prepared request: re-sending it gives the byte-identical request with
the same signature, which is what a provider retry or duplicate looks like on the wire.
"""

import secrets
import time
from dataclasses import dataclass
from random import Random
from urllib.parse import urlsplit

import requests
from twilio.request_validator import SIGNATURE_HEADER, RequestValidator

from helpline.emulator.emulated_time import CallClock
from helpline.emulator.report import Recorder

USER_AGENT = "TwilioProxy/1.1"
# Emulated seconds after which a "later" duplicate is re-sent.
LATE_DUPLICATE = (1.0, 60.0)


@dataclass(frozen=True)
class Delivery:
    url: str
    params: tuple[tuple[str, str], ...]
    prepared: requests.PreparedRequest

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def fingerprint(self) -> tuple:
        return (self.url, tuple(sorted(self.params)))


class Signer:
    def __init__(self, auth_token: str):
        self.validator = RequestValidator(auth_token)

    def sign(self, url: str, params) -> str:
        return self.validator.compute_signature(url, params)


class Line:
    """One call's connection to the service: its own Session, and its pending duplicates."""

    def __init__(
        self,
        *,
        call_sid: str,
        signer: Signer,
        recorder: Recorder,
        clock: CallClock,
        timeout: float,
        duplicates: float,
        fault_rng: Random,
    ):
        self.call_sid = call_sid
        self.signer = signer
        self.recorder = recorder
        self.clock = clock
        self.timeout = timeout
        self.duplicates = duplicates
        self.fault_rng = fault_rng
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self._later: list[tuple[float, Delivery]] = []

    def close(self) -> None:
        self.session.close()

    def prepare(self, url: str, params, *, signature: str | None = "sign", headers: dict | None = None) -> Delivery:
        """`params` a dict or a list of pairs; `signature` "sign" to sign, None to send none, or a given one."""
        pairs = tuple(params.items()) if isinstance(params, dict) else tuple(params)
        all_headers = {"I-Twilio-Idempotency-Token": secrets.token_hex(16), **(headers or {})}
        if signature == "sign":
            signature = self.signer.sign(url, dict(pairs))
        if signature is not None:
            all_headers[SIGNATURE_HEADER] = signature
        request = requests.Request("POST", url, data=list(pairs), headers=all_headers)
        return Delivery(url=url, params=pairs, prepared=self.session.prepare_request(request))

    def send(self, delivery: Delivery) -> requests.Response | None:
        """Send once and record it; None (and a problem) when no answer came back."""
        started = time.perf_counter()
        try:
            response = self.session.send(delivery.prepared, timeout=self.timeout, allow_redirects=False)
        except requests.RequestException as error:
            self.recorder.request(delivery.path, None, time.perf_counter() - started)
            self.recorder.problem(f"POST {delivery.path} for {self.call_sid}: no answer ({type(error).__name__})")
            return None
        self.recorder.request(delivery.path, response.status_code, time.perf_counter() - started)
        return response

    def deliver(self, delivery: Delivery) -> requests.Response | None:
        """A valid request: it must be answered 2xx. May be duplicated, at once or later."""
        self.flush()
        response = self.send(delivery)
        if response is not None:
            if 200 <= response.status_code < 300:
                self.recorder.delivered(delivery.fingerprint)
            else:
                self.recorder.problem(
                    f"POST {delivery.path} for {self.call_sid}: valid request answered {response.status_code}"
                    f" ({_reason(response)})"
                )
        if self.duplicates and self.fault_rng.random() < self.duplicates:
            if self.fault_rng.random() < 0.5:
                self._send_duplicate(delivery)
            else:
                self._later.append((self.clock.elapsed + self.fault_rng.uniform(*LATE_DUPLICATE), delivery))
        return response

    def flush(self, *, final: bool = False) -> None:
        """Re-send the duplicates now due; at the end of the call, all of them, waiting as drawn."""
        self._later.sort(key=lambda item: item[0])
        while self._later and (final or self._later[0][0] <= self.clock.elapsed):
            due, delivery = self._later.pop(0)
            if final and not self.clock.stopped:
                self.clock.spend(due - self.clock.elapsed)
            self._send_duplicate(delivery)

    def _send_duplicate(self, delivery: Delivery) -> None:
        self.recorder.injected("duplicates")
        response = self.send(delivery)
        if response is not None and not 200 <= response.status_code < 300:
            self.recorder.problem(
                f"POST {delivery.path} for {self.call_sid}: duplicate of a valid request answered"
                f" {response.status_code} ({_reason(response)})"
            )


def _reason(response: requests.Response) -> str:
    return response.text.strip().splitlines()[0][:120] if response.text.strip() else "no body"
