"""A live control room and real `arfleet runner` subprocesses running the test bots in tests/bots."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.live_fleet import LiveFleet
from tests.support.robot_bots import TEST_BOTS


@pytest.fixture
def fleet(app, sessions, tmp_path) -> Iterator[LiveFleet]:
    """The control room served live, and a factory for runners (vm-1…, capacity 2, a heartbeat every
    half second) of the test bots, registered through the real flow."""
    running = LiveFleet(app, sessions, tmp_path, bots_dir=TEST_BOTS,
                        runner_defaults={"capacity": 2, "heartbeat_seconds": 0.5})
    yield running
    running.stop()
