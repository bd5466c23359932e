"""Operators' commands."""

import xml.etree.ElementTree as ET

from sqlalchemy import select

from helpline.db import db
from helpline.models import User


def test_users_create_asks_for_the_password_twice(app, runner, auth):
    result = runner.invoke(args=["users", "create", "maryam", "--role", "supervisor"], input="a long password\na long password\n")
    assert result.exit_code == 0, result.output
    assert "created supervisor maryam" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "maryam"))
        assert user.role == "supervisor" and user.check_password("a long password")
        assert "a long password" not in user.password_hash
    assert auth.login("maryam", "a long password").status_code == 200


def test_users_create_sets_a_counselors_asterisk_endpoint(app, runner):
    args = ["users", "create", "leila", "--role", "counselor", "--endpoint", "PJSIP/201"]
    result = runner.invoke(args=args, input="a long password\na long password\n")
    assert result.exit_code == 0, result.output
    refused = runner.invoke(args=["users", "create", "omid", "--role", "counselor", "--endpoint", "SIP/201"], input="a long password\na long password\n")
    assert refused.exit_code != 0 and "PJSIP/201" in refused.output
    with app.app_context():
        assert [(u.username, u.endpoint) for u in db.session.scalars(select(User))] == [("leila", "PJSIP/201")]


def test_users_create_refuses_mismatch_short_passwords_duplicates_and_bad_roles(app, runner):
    mismatch = runner.invoke(args=["users", "create", "a", "--role", "counselor"], input="a long password\nanother password\n")
    assert mismatch.exit_code != 0
    short = runner.invoke(args=["users", "create", "b", "--role", "counselor"], input="short\nshort\n")
    assert short.exit_code != 0 and "at least 10" in short.output
    runner.invoke(args=["users", "create", "c", "--role", "admin"], input="a long password\na long password\n")
    again = runner.invoke(args=["users", "create", "c", "--role", "admin"], input="a long password\na long password\n")
    assert again.exit_code != 0 and "already exists" in again.output
    role = runner.invoke(args=["users", "create", "d", "--role", "janitor"], input="a long password\na long password\n")
    assert role.exit_code != 0
    with app.app_context():
        assert [u.username for u in db.session.scalars(select(User))] == ["c"]


def test_twiml_fallback_enqueues_into_the_same_queue(app, runner):
    result = runner.invoke(args=["twiml", "fallback", "--language", "en"])
    assert result.exit_code == 0
    root = ET.fromstring(result.output)
    assert root.find("Enqueue").text == app.config["TWILIO_QUEUE_NAME"]
    assert "1480" in root.find("Say").text
    assert runner.invoke(args=["twiml", "fallback", "--language", "xx"]).exit_code != 0


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": True}
