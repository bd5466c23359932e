"""Users for the tests: created in the database, logged in through the JSON API or a page's form."""

import re

from helpline.db import db
from helpline.models import User

PASSWORD = "correct horse battery"


class AuthActions:
    def __init__(self, client, app):
        self.client = client
        self.app = app

    def create(self, username: str = "counselor1", role: str = "counselor", password: str = PASSWORD, language: str = "en") -> User:
        """A user; English pages unless a test asks for another language."""
        with self.app.app_context():
            user = User(username=username, role=role, language=language)
            user.set_password(password)
            db.session.add(user)
            db.session.commit()
            return user

    def login(self, username: str = "counselor1", password: str = PASSWORD):
        return self.client.post("/api/login", json={"username": username, "password": password})

    def logout(self):
        return self.client.post("/api/logout", headers={"X-Requested-With": "XMLHttpRequest"})


def csrf_token(page: bytes) -> str:
    """The token of a page's form, else of its <meta name="csrf-token">."""
    found = re.search(rb'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page) or re.search(rb'name="csrf-token" content="([^"]+)"', page)
    return found.group(1).decode()


def session_csrf_token(client) -> str:
    """A CSRF token for this client's session (every page carries one)."""
    return csrf_token(client.get("/login").data)


def post_form(client, path: str, data: dict | None = None):
    """A form posted as the page would, with the session's CSRF token."""
    return client.post(path, data={**(data or {}), "csrf_token": session_csrf_token(client)})
