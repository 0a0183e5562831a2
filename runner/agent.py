"""The runner's main loop: register once, heartbeat, long-poll for step runs up to capacity, run each
bot as a subprocess, stream its output, upload its artifacts, report its end."""
from __future__ import annotations

import logging
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner import credential_file
from runner.bot_process import BotProcess, bot_environment
from runner.client import ControlRoomClient, ControlRoomRefused
from runner.credential_file import RunnerIdentity
from runner.log_shipper import LogShipper

log = logging.getLogger(__name__)
MAX_ARTIFACT_BYTES = 50 * 1024 * 1024
MAX_ARTIFACTS = 200


@dataclass
class RunnerOptions:
    url: str
    state_dir: Path
    bots_dir: Path
    name: str
    labels: list[str] = field(default_factory=list)
    capacity: int = 1
    token: str | None = None
    heartbeat_seconds: float = 10.0
    assignment_wait_seconds: float = 5.0  # also how long Ctrl-C may wait for an in-flight assignment
    stop_grace_seconds: float = 10.0


def register_or_load(options: RunnerOptions) -> RunnerIdentity:
    """Reuse the stored credential for this control room; else trade the one-time token for one."""
    path = options.state_dir / "credential.json"
    identity = credential_file.load(path)
    if identity is not None and identity.url == options.url.rstrip("/"):
        return identity
    if not options.token:
        raise SystemExit(f"this runner is not registered with {options.url}: pass --token with a one-time "
                         "registration token (Runners page or `POST /api/v1/registration-tokens`)")
    answer = ControlRoomClient(options.url).register(options.token, options.name, options.labels, options.capacity)
    identity = RunnerIdentity(options.url.rstrip("/"), answer["name"], answer["runner_id"], answer["credential"])
    credential_file.save(path, identity)
    return identity


class Runner:
    def __init__(self, options: RunnerOptions, identity: RunnerIdentity) -> None:
        self.options, self.identity = options, identity
        self.shutdown = threading.Event()
        self.client = ControlRoomClient(options.url, identity.credential, stop=self.shutdown)
        self._active: dict[int, threading.Event] = {}  # step run id -> its stop event
        self._lock = threading.Lock()
        self._slots = threading.Semaphore(options.capacity)

    def run_forever(self) -> None:
        heartbeat = threading.Thread(target=self._heartbeat_loop, name="heartbeat", daemon=True)
        heartbeat.start()
        log.info("runner %s polling %s for work (labels %s, capacity %d)", self.identity.name, self.options.url,
                 ",".join(self.options.labels) or "none", self.options.capacity)
        while not self.shutdown.is_set():
            if not self._slots.acquire(timeout=1):
                continue
            try:
                assignment = self.client.next_assignment(self.options.assignment_wait_seconds)
            except ConnectionError:
                self._slots.release()
                self.shutdown.wait(2)
                continue
            except ControlRoomRefused as exc:
                self._slots.release()
                log.error("control room refused the assignment: %s", exc)
                self.shutdown.wait(5)
                continue
            if assignment is None:
                self._slots.release()
                continue
            threading.Thread(target=self._run_step, args=(assignment,), name=f"step-{assignment['step_run_id']}",
                             daemon=True).start()
        self._drain()

    def stop(self) -> None:
        """Stop polling; running bots are stopped and their ends reported."""
        with self._lock:
            for event in self._active.values():
                event.set()
        self.shutdown.set()

    def _drain(self) -> None:
        for _ in range(self.options.capacity):
            self._slots.acquire(timeout=self.options.stop_grace_seconds + 30)

    def _heartbeat_loop(self) -> None:
        while not self.shutdown.wait(self.options.heartbeat_seconds):
            try:
                to_stop = self.client.heartbeat()
            except (ConnectionError, ControlRoomRefused) as exc:
                log.warning("heartbeat failed: %s", exc)
                continue
            with self._lock:
                for step_run_id in to_stop:
                    if step_run_id in self._active:
                        self._active[step_run_id].set()

    def _run_step(self, assignment: dict[str, Any]) -> None:
        step_run_id = assignment["step_run_id"]
        stop = threading.Event()
        with self._lock:
            self._active[step_run_id] = stop
        shipper = LogShipper(self.client, step_run_id)
        output_dir = self.options.state_dir / "runs" / str(step_run_id)  # ROBOT_ARTIFACTS, uploaded at the end
        work_dir = self.options.state_dir / "work" / str(step_run_id)  # ROBOT_ROOT: the run's copy of its bot
        exit_code = -1
        try:
            shipper.add(f"[runner {self.identity.name}] {assignment['process']}/{assignment['step']}: "
                        f"bot {assignment['bot']}, task {assignment['task']}")
            bot = BotProcess(self.options.bots_dir, assignment["bot"], assignment["task"], output_dir, work_dir,
                             bot_environment(dict(os.environ), assignment["env"]), shipper.add)
            exit_code = bot.wait(assignment["timeout_seconds"], stop, self.options.stop_grace_seconds)
            if bot.stop_reason:
                shipper.add(f"[runner {self.identity.name}] bot stopped: {bot.stop_reason}")
            shipper.add(f"[runner {self.identity.name}] bot exited with code {exit_code}")
        except Exception as exc:  # the runner boundary: report, never die
            log.exception("step run %s could not run", step_run_id)
            shipper.add(f"[runner {self.identity.name}] could not start the bot: {exc}")
        finally:
            shipper.close(self.shutdown)
            if self._upload_artifacts(step_run_id, output_dir):
                shutil.rmtree(output_dir, ignore_errors=True)  # kept only when some could not be uploaded
            shutil.rmtree(work_dir, ignore_errors=True)
            try:
                self.client.finish(step_run_id, exit_code, log_lines_lost=shipper.lost)
            except (ConnectionError, ControlRoomRefused) as exc:
                log.error("could not report the end of step run %s: %s", step_run_id, exc)
            with self._lock:
                self._active.pop(step_run_id, None)
            self._slots.release()

    def _upload_artifacts(self, step_run_id: int, output_dir: Path) -> bool:
        """Upload the run's output folder; False when some file could not be (the folder is then kept)."""
        if not output_dir.is_dir():
            return True
        files = sorted(p for p in output_dir.rglob("*") if p.is_file())
        complete = len(files) <= MAX_ARTIFACTS
        for path in files[:MAX_ARTIFACTS]:
            if path.stat().st_size > MAX_ARTIFACT_BYTES:
                log.warning("artifact %s is too large to upload", path)
                complete = False
                continue
            try:
                self.client.upload_artifact(step_run_id, path, str(path.relative_to(output_dir)))
            except (ConnectionError, ControlRoomRefused) as exc:
                log.error("artifact %s not uploaded: %s", path.name, exc)
                complete = False
        return complete
