"""A request body over MAX_CONTENT_LENGTH (1 MB unless set) is a 413 before anything parses it."""

import pytest

from tests.support.provider import Provider, new_call_sid

MEGABYTE = 1024 * 1024


def test_the_default_bound_is_a_megabyte(app):
    assert app.config["MAX_CONTENT_LENGTH"] == MEGABYTE


@pytest.mark.parametrize("path", ["/api/login", "/api/calls/CA" + "0" * 32, "/login", "/twilio/voice", "/api/queue/take"])
def test_a_body_over_the_bound_is_413_on_every_route(client, path):
    # A NUL too: the size is refused before the text guard would parse the body for it.
    body = b'{"username": "' + b"\x00" * MEGABYTE + b'", "password": "x"}'
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code == 413


def test_the_api_says_why_in_json(client):
    response = client.post("/api/login", data=b"x" * (MEGABYTE + 1), content_type="application/json")
    assert response.status_code == 413 and "1048576 bytes" in response.json["error"]


def test_the_bound_is_a_setting(migrated, app_factory, auth):
    class Small(migrated):
        MAX_CONTENT_LENGTH = 2000

    app = app_factory(Small)
    client = app.test_client()
    provider = Provider(client, app.config["TWILIO_AUTH_TOKEN"])
    assert provider.post("/twilio/voice", Provider.params(new_call_sid())).status_code == 200
    assert provider.post("/twilio/voice", Provider.params(new_call_sid(), CallerName="x" * 2000)).status_code == 413
    assert client.post("/api/login", json={"username": "a" * 1900, "password": "x"}).status_code == 401
    assert client.post("/api/login", json={"username": "a" * 2000, "password": "x"}).status_code == 413
