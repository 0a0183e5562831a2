"""Fixtures shared by the whole suite: Debian's Chromium for Playwright, live servers."""
from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.live_server import LiveServer, serve

CHROMIUM = os.environ.get("ARFLEET_CHROMIUM", "/usr/lib/chromium/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright launches Debian's Chromium: `playwright install` cannot download here."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM}


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
from contextlib import contextmanager  # noqa: E402
import uuid  # noqa: E402

import psycopg  # noqa: E402

from tests.postgres_cluster import admin_url  # noqa: E402


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """Admin URL of a PostgreSQL server: ARFLEET_TEST_POSTGRES_URL, or a throw-away cluster."""
    with admin_url() as url:
        yield url


@contextmanager
def throwaway_database(admin_url: str, prefix: str = "t") -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the server of ``admin_url``, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin_url.rpartition('/')[0]}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
    from control_room.db import make_engine
    from control_room.migrations_runner import upgrade

    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    engine.dispose()
    application = create_app(settings)
    yield application
    application.extensions["arfleet"].engine.dispose()


@pytest.fixture
def sessions(app):
    return app.extensions["arfleet"].sessions
