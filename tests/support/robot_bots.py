"""Running a robocorp bot as a runner would, without one: ``python -m robocorp.tasks run`` with the
environment a claim hands out (the RC_* variables that point the bot at the control room)."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

TEST_BOTS = Path(__file__).resolve().parents[1] / "bots"  # the small bots the control-room tests run
BOT = TEST_BOTS / "invoice_echo" / "tasks.py"  # an unmodified robocorp bot: work items, files, the vault


def assignment_env(assignment: dict, url: str) -> dict[str, str]:
    """The environment of an assignment (``POST /api/v1/runners/assignments``) with the control room at ``url``."""
    return {k: (url if k.endswith("_HOST") else v) for k, v in assignment["env"].items()}


def bot_env(env: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without RC_* variables of its own, plus ``env``."""
    return {k: v for k, v in os.environ.items() if not k.startswith("RC_")} | dict(env)


def bot_command(task_file: Path, task: str, out: Path) -> list[str]:
    return [sys.executable, "-m", "robocorp.tasks", "run", str(task_file), "-t", task, "-o", str(out)]


def run_bot(task_file: Path, task: str, env: Mapping[str, str], out: Path,
            timeout: int = 120) -> subprocess.CompletedProcess:
    """Run ``task`` of the bot in ``task_file`` to its end, its output folder ``out``."""
    return subprocess.run(bot_command(task_file, task, out), env=bot_env(env), capture_output=True, text=True,
                          timeout=timeout)


def start_bot(task_file: Path, task: str, env: Mapping[str, str], out: Path) -> subprocess.Popen:
    """Start ``task`` of the bot in ``task_file`` and return at once, for a test that kills it."""
    return subprocess.Popen(bot_command(task_file, task, out), env=bot_env(env), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
