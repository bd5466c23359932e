"""Login's `next` never leads off-site, whatever a browser would make of it, and never fails."""

import pytest

from tests.support.users import csrf_token


@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example",  # a browser drops the tab: //evil.example
        "/%0a/evil.example",
        "/%0d/evil.example",
        "/x%0d%0aSet-Cookie:%20a=b",
        "/%e2%80%a8/evil.example",
        "%20//evil.example",
        "/%5cevil.example",
        "javascript:alert(1)",
    ],
)
def test_next_with_control_characters_goes_to_the_dashboard(client, auth, target):
    auth.create()
    form = client.get("/login")
    response = client.post(
        f"/login?next={target}",
        data={"username": "counselor1", "password": "correct horse battery", "csrf_token": csrf_token(form.data)},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"


def test_a_path_of_this_site_is_still_followed(client, auth):
    auth.create()
    form = client.get("/login")
    response = client.post(
        "/login?next=/review%3Ffrom%3D2026-01-01",
        data={"username": "counselor1", "password": "correct horse battery", "csrf_token": csrf_token(form.data)},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/review?from=2026-01-01"
