"""A live fleet for the tests that need one (tests/runner, tests/e2e): the control room served on a
free port, `arfleet runner` subprocesses started as an IT person starts them on a VM and registered
through the real flow, a client of the control room's native API as an ops person uses it, and
``wait_until`` for conditions that take a while to come true."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import requests

from tests.support.live_server import serve
from tests.support.seeds import auth, user_token

REPO = Path(__file__).resolve().parents[2]
ACTIVE = ("pending", "running")  # a run or step run that has not ended yet


def wait_until(condition: Callable[[], Any], timeout: float = 60, what: str = "condition",
               every: float = 0.1) -> Any:
    """The first truthy value of ``condition()``, polled every ``every`` seconds; an AssertionError
    naming ``what`` once ``timeout`` seconds have passed without one."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


class RunnerProcess:
    """A real runner (``python -m runner``, as on a VM) in its own process group,
    registered with a one-time ``token``, logging to ``state_dir/runner.log``.

    ``env`` adds to (or overrides) this process's environment; each bot the runner starts is a
    subprocess in a process group of its own, found by its output folder under ``state_dir``."""

    def __init__(self, url: str, token: str, state_dir: Path, *, bots_dir: Path, name: str | None = None,
                 labels: str = "", capacity: int = 1, heartbeat_seconds: float = 1,
                 env: Mapping[str, str] | None = None) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self.state_dir = state_dir
        self.name = name or state_dir.name
        self.log = state_dir / "runner.log"
        environment = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        with self.log.open("w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "runner", "--url", url, "--token", token,
                 "--name", self.name, "--labels", labels, "--capacity", str(capacity),
                 "--state-dir", str(state_dir), "--bots-dir", str(bots_dir),
                 "--heartbeat-seconds", str(heartbeat_seconds)],
                env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=REPO)

    def bot_processes(self, task: str = "") -> list[int]:
        """Process ids of the bots this runner has running ``task`` (any task when empty), found by
        their output folder, which is under the runner's state folder."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            text = [part.decode(errors="replace") for part in command]
            if "robocorp.tasks" in text and (not task or task in text) \
                    and any(str(self.state_dir) in part for part in text):
                found.append(int(entry.name))
        return found

    def kill(self) -> None:
        """SIGKILL the runner and any bot it still has running (each bot is its own process group),
        as when the VM goes away."""
        for pid in self.bot_processes():
            try:
                os.killpg(os.getpgid(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        """Ask the runner to stop (SIGTERM), as a service manager would; kill it if it takes over 30 s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


class ControlRoomClient:
    """The native API (/api/v1) as an ops user with ``token`` drives it: start runs, follow them,
    read their logs, look at and act on work items."""

    def __init__(self, url: str, token: str, wait_timeout: float = 90, poll_every: float = 0.1) -> None:
        self.url, self.token = url, token
        self.wait_timeout, self.poll_every = wait_timeout, poll_every

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.get(f"{self.url}/api/v1/{path}", headers=self.headers, timeout=10, **kwargs)

    def post(self, path: str, body: Any) -> requests.Response:
        return requests.post(f"{self.url}/api/v1/{path}", json=body, headers=self.headers, timeout=10)

    # --- runs ---------------------------------------------------------------------------------------------
    def start(self, process: str, payloads: list[dict]) -> int:
        """Start a run of ``process`` with these input items; the run's id."""
        answer = self.post(f"processes/{process}/runs", {"payloads": payloads})
        assert answer.status_code == 201, answer.text
        return answer.json()["id"]

    def run(self, run_id: int) -> dict:
        return self.get(f"runs/{run_id}").json()

    def wait_run(self, run_id: int, timeout: float | None = None) -> dict:
        """The run once it has ended."""
        return wait_until(lambda: (r := self.run(run_id))["state"] not in ACTIVE and r,
                          self.wait_timeout if timeout is None else timeout, f"run {run_id} to end",
                          every=self.poll_every)

    def wait_step(self, run_id: int, step: str, timeout: float | None = None) -> dict:
        """The run once its step ``step`` has ended (or the run has, without reaching it)."""
        def ended() -> dict | None:
            run = self.run(run_id)
            states = {s["step"]: s["state"] for s in run["steps"]}
            return run if states.get(step) not in (None, *ACTIVE) or run["state"] not in ACTIVE else None
        return wait_until(ended, self.wait_timeout if timeout is None else timeout,
                          f"step {step} of run {run_id} to end", every=self.poll_every)

    def step_logs(self, step_run_id: int) -> list[str]:
        """The log lines of one step run, as the runner shipped them."""
        return [line["line"] for line in self.get(f"step-runs/{step_run_id}/logs").json()["lines"]]

    def logs(self, run: dict) -> str:
        """All the run's log lines, each prefixed with its step's name, for an assertion's message."""
        return "\n".join(f"[{step['step']}] {line}" for step in run["steps"] for line in self.step_logs(step["id"]))

    # --- work items ---------------------------------------------------------------------------------------
    def item(self, item_id: int) -> dict:
        answer = self.get(f"items/{item_id}")
        assert answer.status_code == 200, answer.text
        return answer.json()

    def item_file(self, item_id: int, file_id: int) -> bytes:
        answer = self.get(f"items/{item_id}/files/{file_id}")
        assert answer.status_code == 200, answer.text
        return answer.content

    def act(self, action: str, ids: list[int], reason: str, **extra: Any) -> dict:
        """A batch action (retry, done, reject, move, delete) on items, with the reason a person gives."""
        answer = self.post("items/batch", {"action": action, "ids": ids, "reason": reason, **extra})
        assert answer.status_code == 200, answer.text
        return answer.json()


class LiveFleet(ControlRoomClient):
    """The control room ``app`` served live (its native API as an ops user), and runners of the bots in
    ``bots_dir`` registered through the real flow: an IT user asks for a one-time registration token.

    ``runner_defaults`` are the settings (labels, capacity, heartbeat_seconds, env) of every runner the
    fleet starts unless ``runner`` is told otherwise."""

    def __init__(self, app: Any, sessions: Any, tmp_path: Path, *, bots_dir: Path,
                 runner_defaults: Mapping[str, Any] | None = None, wait_timeout: float = 90,
                 poll_every: float = 0.1) -> None:
        self.app, self.sessions, self.tmp_path, self.bots_dir = app, sessions, tmp_path, bots_dir
        self.runner_defaults = dict(runner_defaults or {})
        self.server = serve(app)
        self.ops, self.it = user_token(sessions, "ops"), user_token(sessions, "it")
        self.runners: list[RunnerProcess] = []
        super().__init__(self.server.url, self.ops, wait_timeout=wait_timeout, poll_every=poll_every)

    def registration_token(self) -> str:
        """A one-time registration token, as IT asks for one to set up a VM."""
        answer = requests.post(f"{self.url}/api/v1/registration-tokens", json={}, headers=auth(self.it), timeout=10)
        assert answer.status_code == 201, answer.text
        return answer.json()["token"]

    def runner(self, name: str | None = None, **settings: Any) -> RunnerProcess:
        """Start and register a runner ``name`` (vm-1, vm-2… by default), its state under tmp_path/name;
        ``settings`` override the fleet's ``runner_defaults``."""
        name = name or f"vm-{len(self.runners) + 1}"
        started = RunnerProcess(self.url, self.registration_token(), self.tmp_path / name, bots_dir=self.bots_dir,
                                name=name, **{**self.runner_defaults, **settings})
        self.runners.append(started)
        return started

    def restart(self, down_seconds: float) -> None:
        """Stop the control room for a while, then serve it again on the same port."""
        port = self.server.server.server_port
        self.server.stop()
        self.server.server.server_close()
        time.sleep(down_seconds)
        self.server = serve(self.app, port=port)

    def stop(self) -> None:
        """Kill every runner (and its bots), then stop serving the control room."""
        for runner in self.runners:
            runner.kill()
        self.server.stop()
