"""One sandbox web app in its own process (``python -m sandbox.<app> --port P --db PATH``), as
it would run on its own server: started in its own session (Ctrl-C in the terminal reaches the
launcher, which stops the apps in order), its output in a log file, considered up once its admin
API answers, and stopped with SIGTERM, then SIGKILL if it does not go."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from sandbox.mail.ports import free_port

HOST = "127.0.0.1"
_PORT_ATTEMPTS = 3  # a free port can be taken between our look and the app's bind


class AppFailed(RuntimeError):
    """The app exited or did not answer; the message carries the end of its log."""


class AppProcess:
    def __init__(self, app: str, database: Path, log: Path, *, admin_token: str, secret_key: str,
                 port: int | None = None) -> None:
        self.app = app
        self.database = database
        self.log = log
        self.admin_token = admin_token
        self.secret_key = secret_key
        self.wanted_port = port
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def spawn(self) -> None:
        """Start the process (without waiting for it to answer: see ``wait_ready``)."""
        self.database.parent.mkdir(parents=True, exist_ok=True)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.port = self.wanted_port or free_port(HOST)
        env = {**os.environ, "ARFLEET_SANDBOX_ADMIN_TOKEN": self.admin_token,  # not on the command line: ps shows it
               "ARFLEET_SANDBOX_SECRET_KEY": self.secret_key, "ARFLEET_ERP_SECRET_KEY": self.secret_key,
               "PYTHONUNBUFFERED": "1"}
        with open(self.log, "ab") as log:
            log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting on port {self.port}\n".encode())
            self.process = subprocess.Popen(
                [sys.executable, "-m", f"sandbox.{self.app}", "--host", HOST, "--port", str(self.port),
                 "--db", str(self.database)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
            )

    def wait_ready(self, timeout: float) -> None:
        """Return once the admin API answers; restart on another port when the chosen one was
        taken meanwhile (unless the port was configured)."""
        for attempt in range(_PORT_ATTEMPTS):
            try:
                self._wait(timeout)
                return
            except AppFailed as exc:
                if self.wanted_port or attempt == _PORT_ATTEMPTS - 1 or "Address already in use" not in str(exc):
                    raise
                self.spawn()

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AppFailed(f"{self.app} exited with code {self.process.returncode}:\n{self.log_tail()}")
            try:
                answer = requests.get(f"{self.url}/_admin/faults", headers=self.admin_headers, timeout=2)
                if answer.status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        self.stop()
        raise AppFailed(f"{self.app} did not answer on {self.url} within {timeout:.0f} s:\n{self.log_tail()}")

    @property
    def admin_headers(self) -> dict[str, str]:
        return {"X-Admin-Token": self.admin_token}

    def seed(self, payload: dict) -> dict:
        """Load the app's seed through its admin API; returns what the app says it loaded."""
        answer = requests.post(f"{self.url}/_admin/seed", json=payload, headers=self.admin_headers, timeout=300)
        if answer.status_code != 200:
            raise AppFailed(f"{self.app} refused its seed: HTTP {answer.status_code} {answer.text[:500]}")
        return answer.json()

    def terminate(self) -> bool:
        """Ask the app to stop (SIGTERM to its process group) without waiting; False if not running."""
        if self.process is None or self.process.poll() is not None:
            return False
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        return True

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the app's process group, SIGKILL it if still there after ``timeout``."""
        self.terminate()
        process, self.process = self.process, None
        if process is None:
            return
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"
