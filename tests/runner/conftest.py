"""A live control room and real `arfleet runner` subprocesses running the test bots in tests/bots."""
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.control_room.fleet import auth, user_token
from tests.fleet_processes import ControlRoomClient, RunnerProcess, wait_until
from tests.live_server import serve

__all__ = ["BOTS_DIR", "Fleet", "wait_until"]
BOTS_DIR = Path(__file__).parents[1] / "bots"


class Fleet(ControlRoomClient):
    """The control room served live (its native API as an ops user), and runners registered through
    the real flow."""

    def __init__(self, app, sessions, tmp_path: Path) -> None:
        self.app, self.tmp_path = app, tmp_path
        self.server = serve(app)
        self.ops, self.it = user_token(sessions, "ops"), user_token(sessions, "it")
        self.runners: list[RunnerProcess] = []
        super().__init__(self.server.url, self.ops, wait_timeout=90)

    def restart(self, down_seconds: float) -> None:
        """Stop the control room for a while, then serve it again on the same port."""
        port = self.server.server.server_port
        self.server.stop()
        self.server.server.server_close()
        time.sleep(down_seconds)
        self.server = serve(self.app, port=port)

    def runner(self, name: str = "vm-1", labels: str = "", capacity: int = 2) -> RunnerProcess:
        token = requests.post(f"{self.url}/api/v1/registration-tokens", json={}, headers=auth(self.it),
                              timeout=10).json()["token"]
        started = RunnerProcess(self.url, token, self.tmp_path / name, bots_dir=BOTS_DIR, name=name,
                                labels=labels, capacity=capacity, heartbeat_seconds=0.5)
        self.runners.append(started)
        return started

    def logs(self, step_run_id: int) -> list[str]:  # type: ignore[override]
        """The log lines of one step run."""
        return self.step_logs(step_run_id)

    def stop(self) -> None:
        for runner in self.runners:
            runner.kill()
        self.server.stop()


@pytest.fixture
def fleet(app, sessions, tmp_path) -> Iterator[Fleet]:
    """The control room served live, and a factory for runners registered through the real flow."""
    running = Fleet(app, sessions, tmp_path)
    yield running
    running.stop()
