"""A live control room and real `arfleet runner` subprocesses running the test bots in tests/bots."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from tests.control_room.fleet import auth, user_token
from tests.live_server import serve

BOTS_DIR = Path(__file__).parents[1] / "bots"


def wait_until(condition: Callable[[], object], timeout: float = 60, what: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


class RunnerProcess:
    def __init__(self, url: str, token: str, state_dir: Path, name: str, labels: str, capacity: int) -> None:
        self.log = state_dir / "runner.log"
        state_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "control_room.cli", "runner", "--url", url, "--token", token, "--name", name,
             "--labels", labels, "--capacity", str(capacity), "--state-dir", str(state_dir),
             "--bots-dir", str(BOTS_DIR), "--heartbeat-seconds", "0.5"],
            env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def fleet(app, sessions, tmp_path):
    """The control room served live, and a factory for runners registered through the real flow."""
    runners: list[RunnerProcess] = []

    class Fleet:
        server = serve(app)
        url = server.url
        ops = user_token(sessions, "ops")
        it = user_token(sessions, "it")

        def restart(self, down_seconds: float) -> None:
            """Stop the control room for a while, then serve it again on the same port."""
            port = self.server.server.server_port
            self.server.stop()
            self.server.server.server_close()
            time.sleep(down_seconds)
            self.server = serve(app, port=port)

        def runner(self, name: str = "vm-1", labels: str = "", capacity: int = 2) -> RunnerProcess:
            token = requests.post(f"{self.url}/api/v1/registration-tokens", json={}, headers=auth(self.it),
                                  timeout=10).json()["token"]
            started = RunnerProcess(self.url, token, tmp_path / name, name, labels, capacity)
            runners.append(started)
            return started

        def start(self, process: str, payloads: list[dict]) -> int:
            answer = requests.post(f"{self.url}/api/v1/processes/{process}/runs", json={"payloads": payloads},
                                   headers=auth(self.ops), timeout=10)
            assert answer.status_code == 201, answer.text
            return answer.json()["id"]

        def run(self, run_id: int) -> dict:
            return requests.get(f"{self.url}/api/v1/runs/{run_id}", headers=auth(self.ops), timeout=10).json()

        def wait_run(self, run_id: int, timeout: float = 90) -> dict:
            return wait_until(lambda: (r := self.run(run_id))["state"] not in ("pending", "running") and r,
                              timeout, f"run {run_id} to end")

        def logs(self, step_run_id: int) -> list[str]:
            answer = requests.get(f"{self.url}/api/v1/step-runs/{step_run_id}/logs", headers=auth(self.ops),
                                  timeout=10).json()
            return [line["line"] for line in answer["lines"]]

    running = Fleet()
    yield running
    for r in runners:
        r.kill()
    running.server.stop()
