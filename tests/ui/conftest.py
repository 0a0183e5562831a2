"""Fixtures for the web UI tests: people of each role, logged-in test clients, a live control room."""
from __future__ import annotations

import base64
import os
from collections.abc import Iterator

import pytest

from tests.support.seeds import make_user
from tests.support.ui_client import Browser


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
    from control_room.storage.engine import make_engine
    from control_room.storage.migrate import upgrade

    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'ui.db'}",
                        master_key=base64.b64encode(os.urandom(32)).decode())
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    engine.dispose()
    application = create_app(settings)
    yield application
    application.extensions["arfleet"].engine.dispose()
