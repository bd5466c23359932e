"""Users for the tests: created in the database, logged in through the JSON API."""

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
