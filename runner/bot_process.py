"""One bot step as a subprocess: `python -m robocorp.tasks run <copy of bots/<bot>>/tasks.py -t <task> -o <dir>`.

As in Robocorp's Control Room, each step run works in a copy of its bot of its own (`ROBOT_ROOT`, also its
working folder): `item.get_file("x.pdf")` without a path and every relative write land there, so two runs
of one bot on one runner never overwrite each other's files, and the bot's source folder stays as shipped.
`ROBOT_ARTIFACTS` is the run's output folder, uploaded as the run's artifacts at the end. The bot gets the
run's RC_* variables and nothing of the runner's own secrets. It runs in its own process group so a stop
or a timeout (SIGTERM, then SIGKILL after a grace period) reaches whatever it started, such as Chromium.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

KEPT_ARFLEET_VARIABLES = ("ARFLEET_CHROMIUM", "ARFLEET_CONNECTION_FILE")


def bot_environment(base: dict[str, str], robot_env: dict[str, str]) -> dict[str, str]:
    """The runner's environment without any arfleet setting (master key, database URL, runner
    credential) or stale RC_* variable, plus the run's own RC_* variables."""
    env = {k: v for k, v in base.items()
           if not k.startswith("RC_") and (not k.startswith("ARFLEET_") or k in KEPT_ARFLEET_VARIABLES
                                           or k.startswith("ARFLEET_BOT_"))}
    env.update(robot_env)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def copy_bot(bots_dir: Path, bot: str, work_dir: Path) -> Path:
    """The run's own copy of the bot's folder (its code, without caches or earlier outputs)."""
    source = bots_dir / bot
    if not (source / "tasks.py").is_file():
        raise FileNotFoundError(f"bot {bot!r} not found: {source / 'tasks.py'} does not exist on this runner")
    shutil.rmtree(work_dir, ignore_errors=True)  # a crashed runner's leftover of the same step run
    shutil.copytree(source, work_dir, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "output"))
    return work_dir


class BotProcess:
    def __init__(self, bots_dir: Path, bot: str, task: str, output_dir: Path, work_dir: Path, env: dict[str, str],
                 on_line: Callable[[str], None]) -> None:
        self.output_dir, self.work_dir = output_dir, work_dir
        tasks_file = copy_bot(bots_dir, bot, work_dir) / "tasks.py"
        output_dir.mkdir(parents=True, exist_ok=True)
        env = {**env, "ROBOT_ROOT": str(work_dir), "ROBOT_ARTIFACTS": str(output_dir)}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "robocorp.tasks", "run", str(tasks_file), "-t", task, "-o", str(output_dir)],
            cwd=str(work_dir), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True, text=True, encoding="utf-8", errors="replace",
            bufsize=1,
        )
        self._reader = threading.Thread(target=self._read, args=(on_line,), daemon=True)
        self._reader.start()
        self.stop_reason: str | None = None

    @property
    def pid(self) -> int:
        return self._proc.pid

    def _read(self, on_line: Callable[[str], None]) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            on_line(line.rstrip("\n"))

    def wait(self, timeout_seconds: float, stop: threading.Event, grace_seconds: float = 10.0) -> int:
        """The exit code; stops the bot when it outlives its timeout or `stop` is set."""
        deadline = time.monotonic() + timeout_seconds
        while self._proc.poll() is None:
            if stop.is_set():
                self.stop_reason = "stop requested"
                self.terminate(grace_seconds)
            elif time.monotonic() > deadline:
                self.stop_reason = f"timeout after {timeout_seconds:.0f}s"
                self.terminate(grace_seconds)
            else:
                stop.wait(0.2)
        self._reader.join(timeout=10)
        return self._proc.returncode

    def terminate(self, grace_seconds: float) -> None:
        try:
            os.killpg(self._proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self._proc.wait(timeout=grace_seconds)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self._proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._proc.wait()
