"""Fixtures for the web UI tests: people of each role, logged-in test clients, a live control room."""
from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator

import pytest

from control_room.models import Role
from control_room.users import create_user
from tests.control_room.fleet import ADMIN

PASSWORD = "correct horse battery"
ROLES = [r.value for r in Role]


def make_user(sessions, role: str, username: str | None = None) -> str:
    username = username or f"{role}-user"
    with sessions.begin() as session:
        create_user(session, username, PASSWORD, Role(role), ADMIN)
    return username


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


class Browser:
    """A Flask test client that logs in through the login form and sends the CSRF token like a page."""

    def __init__(self, app) -> None:
        self.client = app.test_client()
        self.token = ""

    def login(self, username: str, password: str = PASSWORD):
        self.token = csrf_from(self.client.get("/login").get_data(as_text=True))
        answer = self.client.post("/login", data={"username": username, "password": password,
                                                  "csrf_token": self.token})
        if answer.status_code == 302:
            self.token = csrf_from(self.client.get("/").get_data(as_text=True))
        return answer

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict | None = None, csrf: bool = True, **kwargs):
        data = dict(data or {})
        if csrf:
            data["csrf_token"] = self.token
        return self.client.post(path, data=data, **kwargs)


@pytest.fixture
def browser_for(app):
    """Factory: ``browser_for(role)`` is a logged-in client for a new user with that role."""

    def make(role: str, username: str | None = None) -> Browser:
        sessions = app.extensions["arfleet"].sessions
        name = make_user(sessions, role, username)
        client = Browser(app)
        assert client.login(name).status_code == 302
        return client

    return make


@pytest.fixture
def sqlite_app(tmp_path) -> Iterator:
    """A control room on SQLite only, for the browser tests (the HTTP tests also run on PostgreSQL)."""
    from control_room import create_app
    from control_room.config import Settings
    from control_room.db import make_engine
    from control_room.migrations_runner import upgrade

    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'ui.db'}",
                        master_key=base64.b64encode(os.urandom(32)).decode())
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    engine.dispose()
    application = create_app(settings)
    yield application
    application.extensions["arfleet"].engine.dispose()
