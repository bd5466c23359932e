"""Logs: JSON lines with request ids, and never a caller's number."""

import io
import json
import logging
import logging.config
import re
import xml.etree.ElementTree as ET
from urllib.parse import urljoin

import pytest
import requests
from twilio.request_validator import RequestValidator

from helpline import logs
from tests.support.provider import Provider, new_call_sid
from tests.support.servers import gunicorn_process

NUMBER = "+989127654321"
FRAGMENTS = ("7654321", "9127654", "989127", "912 765")
GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize(
    "text",
    [
        "+989127654321", "09127654321", "00989127654321", "+98 912 765 4321", "0912-765-4321", "(0912) 765 4321",
        "From=%2B989127654321&To=x", "called from 09127654321.", "number:989127654321",
    ],
)
def test_numbers_are_masked(text):
    masked = logs.mask_numbers(text)
    assert logs.MASK in masked and not any(fragment in masked for fragment in FRAGMENTS)


@pytest.mark.parametrize(
    "text",
    [
        "CA0123456789abcdef0123456789abcdef", "2026-11-28 16:14:32", "2026-11-28T16:14:32.125+00:00",
        "10.120.200.251:8001", "answered 200 in 13.723 ms", "replayed 1234 spooled webhooks", "pid 123456",
    ],
)
def test_ids_times_and_addresses_are_kept(text):
    assert logs.mask_numbers(text) == text


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("0123456789abcdef0123456789abcdef", True),
        ("6f1c1b9e-2d4a-4b8e-9a55-0c1f3e2d7b6a", True),
        ("short", False),
        ("98912765432112345", False),
        ("has spaces in it 0123456789", False),
        ("x" * 65, False),
        ("<script>0123456789abcdef</script>", False),
        ("", False),
    ],
)
def test_a_well_formed_request_id_is_taken_and_echoed(client, given, kept):
    response = client.get("/healthz", headers={"X-Request-Id": given})
    echoed = response.headers["X-Request-Id"]
    assert echoed == given if kept else GENERATED.fullmatch(echoed)


def test_each_request_gets_its_own_id(client):
    first, second = (client.get("/healthz").headers["X-Request-Id"] for _ in range(2))
    assert GENERATED.fullmatch(first) and GENERATED.fullmatch(second) and first != second


@pytest.fixture
def configured():
    """The service's logging configuration in a format, writing to a buffer; undone after."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level

    def configure(log_format: str) -> io.StringIO:
        config = logs.logging_config(log_format, "DEBUG")
        config["handlers"]["stderr"]["stream"] = stream = io.StringIO()
        logging.config.dictConfig(config)
        return stream

    yield configure
    for handler in root.handlers[:]:
        root.removeHandler(handler)
    for handler in saved_handlers:
        root.addHandler(handler)
    root.setLevel(saved_level)


@pytest.fixture
def captured(configured):
    return configured("json")


def lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_number_in_a_message_its_arguments_an_exception_or_extras_is_masked(captured):
    log = logging.getLogger("helpline.test")
    log.warning("caller %s hung up", NUMBER, extra={"caller": {"from": NUMBER}})
    log.info(f"from {NUMBER}")
    try:
        raise ValueError(f"no route to {NUMBER}")
    except ValueError:
        log.exception("dialling %s failed", NUMBER)
    log.warning("stack", stack_info=True, extra={"number": NUMBER})

    written = captured.getvalue()
    assert not any(fragment in written for fragment in FRAGMENTS)
    first, second, third, fourth = lines(captured)
    assert first["message"] == f"caller {logs.MASK} hung up" and first["caller"] == {"from": logs.MASK}
    assert (first["level"], first["logger"], first["request_id"]) == ("WARNING", "helpline.test", None)
    assert second["message"] == f"from {logs.MASK}"
    assert "ValueError: no route to " + logs.MASK in third["exc_info"]
    assert fourth["number"] == logs.MASK and "stack_info" in fourth


def test_app_lines_carry_the_request_id(app, client, captured):
    given = "0123456789abcdef0123456789abcdef"
    response = client.post("/twilio/status", data={"CallSid": new_call_sid(), "From": NUMBER}, headers={"X-Request-Id": given})
    assert response.status_code == 403
    [rejected] = [line for line in lines(captured) if line["logger"] == "helpline.telephony.twilio.webhook_checks"]
    assert rejected["request_id"] == given and "signature" in rejected["message"]


def test_the_text_format_is_one_readable_line(configured):
    stream = configured("text")
    logging.getLogger("helpline.test").warning("caller %s", NUMBER)
    assert re.fullmatch(r"\S+ \S+ WARNING \[-\] helpline.test: caller \[number removed\]\n", stream.getvalue())


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="LOG_FORMAT must be one of json, text"):
        logs.logging_config("xml")


def signed_post(session, validator, url, params, **headers):
    signature = validator.compute_signature(url, params)
    return session.post(url, data=params, headers={"X-Twilio-Signature": signature, **headers}, timeout=10)


def test_a_whole_call_through_gunicorn_logs_json_with_request_ids_and_no_number(app, tmp_path):
    validator = RequestValidator(app.config["TWILIO_AUTH_TOKEN"])
    session = requests.Session()
    call_sid = new_call_sid()
    params = {**Provider.params(call_sid, NUMBER), "Caller": NUMBER, "CallerName": "Maryam", "FromCity": "Tabriz"}
    given = "feedfacefeedfacefeedfacefeedface"
    with gunicorn_process(app, tmp_path, LOG_LEVEL="debug") as (base_url, log_path):
        answer = signed_post(session, validator, base_url + "/twilio/voice?lang=en", {**params, "CallStatus": "ringing"})
        gather_url = urljoin(answer.url, ET.fromstring(answer.text).find("Gather").get("action"))
        queued = signed_post(session, validator, gather_url, {**params, "CallStatus": "in-progress", "Digits": "1"}, **{"X-Request-Id": given})
        assert queued.headers["X-Request-Id"] == given
        enqueue = ET.fromstring(queued.text).find("Enqueue")
        signed_post(session, validator, urljoin(queued.url, enqueue.get("waitUrl")), {**params, "QueueTime": "3", "QueuePosition": "1"})
        signed_post(session, validator, urljoin(queued.url, enqueue.get("action")), {**params, "QueueResult": "hangup", "QueueTime": "9"})
        done = signed_post(session, validator, base_url + "/twilio/status", {**params, "CallStatus": "completed", "CallDuration": "12"})
        assert done.status_code == 204
        # A forged request, and one with the number in its URL: both logged, neither with the number.
        forged = session.post(f"{base_url}/twilio/status?From=%2B989127654321", data=params, headers={"X-Twilio-Signature": "forged"}, timeout=10)
        assert forged.status_code == 403
        session.get(base_url + "/healthz", timeout=10)

    text = log_path.read_text()
    assert not any(fragment in text for fragment in FRAGMENTS)
    written = [json.loads(line) for line in text.splitlines() if line.strip()]
    access = [line for line in written if line["logger"] == "gunicorn.access"]
    assert [line["http"]["path"] for line in access if line["http"]["path"].startswith("/twilio/")] == [
        "/twilio/voice", "/twilio/menu", "/twilio/wait", "/twilio/queue-result", "/twilio/status", "/twilio/status",
    ]
    assert all(GENERATED.fullmatch(line["request_id"]) or line["request_id"] == given for line in access)
    assert len({line["request_id"] for line in access}) == len(access)
    [menu] = [line for line in access if line["http"]["path"] == "/twilio/menu"]
    assert menu["request_id"] == given and menu["http"]["status"] == 200
    [rejected] = [line for line in written if line["logger"] == "helpline.telephony.twilio.webhook_checks"]
    [forged_access] = [line for line in access if line["http"]["status"] == 403]
    assert rejected["request_id"] == forged_access["request_id"] and forged_access["http"]["query"] == f"From={logs.MASK}"
    assert any(line["logger"] == "gunicorn.error" for line in written)


def test_a_log_call_with_arguments_that_do_not_fit_fails_nothing(captured):
    logging.getLogger("helpline.test").warning("caller %s and %s", NUMBER)  # noqa: PLE1206 (the point)
    [line] = lines(captured)
    assert line["message"] == "caller %s and %s (with arguments that do not fit it)"
