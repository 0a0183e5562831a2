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
