"""Fixtures shared by the whole suite: Debian's Chromium for Playwright, live servers."""
from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.browser import launch_args
from tests.support.live_server import LiveServer, serve


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright launches Debian's Chromium: `playwright install` cannot download here."""
    return launch_args(browser_type_launch_args)


@pytest.fixture
def live_server() -> Iterator:
    """Factory: ``live_server(app)`` serves a WSGI app on a free port until the test ends."""
    started: list[LiveServer] = []

    def start(app) -> LiveServer:
        server = serve(app)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


# --- databases: every database test runs on SQLite and on a real PostgreSQL ---------------------------
import base64  # noqa: E402

from tests.support.postgres import admin_url, throwaway_database  # noqa: E402


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """Admin URL of a PostgreSQL server: ARFLEET_TEST_POSTGRES_URL, or a throw-away cluster."""
    with admin_url() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> Iterator[str]:
    """A fresh, empty database for one test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'arfleet.db'}"
        return
    with throwaway_database(request.getfixturevalue("postgres_server")) as url:
        yield url


@pytest.fixture
def settings(tmp_path, database_url):
    from control_room.config import Settings

    return Settings(home=tmp_path / "home", database_url=database_url,
                    master_key=base64.b64encode(os.urandom(32)).decode())


@pytest.fixture
def app(settings):
    from control_room import create_app
    from control_room.clock import MovableClock
    from control_room.storage.engine import make_engine
    from control_room.storage.migrate import upgrade

    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    engine.dispose()
    application = create_app(settings, clock=MovableClock())  # tests move time with the `clock` fixture
    yield application
    application.extensions["arfleet"].engine.dispose()


@pytest.fixture
def sessions(app):
    return app.extensions["arfleet"].sessions


@pytest.fixture
def clock(app):
    """The app's clock: `clock.advance(timedelta(...))` lets leases run out and back-offs pass."""
    return app.extensions["arfleet"].clock
