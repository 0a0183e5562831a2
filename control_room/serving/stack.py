"""`arfleet up`: the whole product on one machine — the control room (gunicorn, with its scheduler and
lease sweeper), a local runner registered automatically, and the sandbox when it is installed — and a
clean shutdown of all of it on Ctrl-C."""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy import select

from control_room.access.models import Role, User
from control_room.access.users import create_user
from control_room.audit.actors import SYSTEM
from control_room.config import Settings
from control_room.fleet import registration
from control_room.fleet.models import Process
from control_room.storage.engine import make_engine, make_session_factory
from control_room.storage.migrate import upgrade
from control_room.vault.models import Secret

READY_TIMEOUT = 60


@dataclass
class FirstStart:
    admin_password: str | None  # set only when the admin user was just created


def prepare(settings: Settings) -> FirstStart:
    """Migrate the database and create the first admin if there is no user yet."""
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    password = None
    with make_session_factory(engine).begin() as session:
        if session.scalar(select(User.id).limit(1)) is None:
            password = secrets.token_urlsafe(12)
            create_user(session, "admin", password, Role.ADMIN, SYSTEM)
    engine.dispose()
    return FirstStart(password)


def store_sandbox_credentials(settings: Settings, credentials: dict[str, dict]) -> list[str]:
    """The sandbox's demo accounts go into the vault (the bots read them from there, never from the
    connection file), readable by every declared process. Existing secrets are left as they are."""
    from control_room.vault.store import Vault
    from credentials import master_key

    vault = Vault(master_key.load_or_create(settings.master_key, settings.resolved_master_key_file))
    engine = make_engine(settings.resolved_database_url)
    stored = []
    with make_session_factory(engine).begin() as session:
        processes = list(session.scalars(select(Process.name)))
        for name, values in credentials.items():
            if session.scalar(select(Secret.id).where(Secret.name == name)) is None:
                vault.set(session, name, values, SYSTEM, processes=processes, description="sandbox demo account")
                stored.append(name)
    engine.dispose()
    return stored


def local_runner_token(settings: Settings) -> str:
    """A one-time registration token for the local runner (used only on its first start)."""
    engine = make_engine(settings.resolved_database_url)
    with make_session_factory(engine).begin() as session:
        token = registration.issue(session, SYSTEM, "arfleet up", hours=1).token
    engine.dispose()
    return token


# What a runner needs of its environment: the system's basics and what its bots read (the connection file,
# Chromium's path, ARFLEET_BOT_* settings); never the control room's master key, database URL or home.
RUNNER_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "ARFLEET_CHROMIUM", "ARFLEET_CONNECTION_FILE")


def runner_environment(env: dict[str, str]) -> dict[str, str]:
    """The local runner's environment: exactly what a runner on another VM would have."""
    return {k: v for k, v in env.items() if k in RUNNER_VARIABLES or k.startswith("ARFLEET_BOT_")}


class Stack:
    """The child processes of `arfleet up`, started in order and stopped in reverse."""

    def __init__(self, settings: Settings, host: str, port: int, bots_dir: Path) -> None:
        self.settings, self.host, self.port, self.bots_dir = settings, host, port, bots_dir
        self.url = f"http://{host}:{port}"
        self._children: list[tuple[str, subprocess.Popen]] = []

    def _spawn(self, name: str, module: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.settings.home / "logs" / f"{name}.log")
        log.parent.mkdir(parents=True, exist_ok=True)
        proc = subprocess.Popen([sys.executable, "-m", module, *args], env=env,
                                stdout=log.open("a"), stderr=subprocess.STDOUT, start_new_session=True)
        self._children.append((name, proc))
        print(f"  {name}: started (pid {proc.pid}, log {log})", flush=True)
        return proc

    def start(self, connection_file: Path | None = None) -> None:
        env = {**os.environ, "ARFLEET_HOME": str(self.settings.home)}
        if connection_file is not None:
            env["ARFLEET_CONNECTION_FILE"] = str(connection_file)  # the bots read the sandbox's URLs there
        if self.settings.master_key:
            env["ARFLEET_MASTER_KEY"] = self.settings.master_key
        self._spawn("control-room", "control_room.cli", ["serve", "--host", self.host, "--port", str(self.port)], env)
        self._wait_ready()
        runner_dir = self.settings.home / "runner"
        args = ["--url", self.url, "--name", "local", "--labels", "browser,mail", "--capacity", "2",
                "--state-dir", str(runner_dir), "--bots-dir", str(self.bots_dir)]
        if not (runner_dir / "credential.json").exists():
            args += ["--token", local_runner_token(self.settings)]
        self._spawn("runner", "runner", args, runner_environment(env))  # as on a VM: its own command

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            for name, proc in self._children:
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with code {proc.returncode}; see "
                                       f"{self.settings.home / 'logs' / (name + '.log')}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the control room did not answer on {self.url} within {READY_TIMEOUT}s")

    def wait(self) -> None:
        """Until Ctrl-C / SIGTERM, or until a child dies (then everything stops)."""
        stop = {"asked": False}

        def ask(*_):
            stop["asked"] = True

        signal.signal(signal.SIGINT, ask)
        signal.signal(signal.SIGTERM, ask)
        while not stop["asked"]:
            for name, proc in self._children:
                if proc.poll() is not None:
                    print(f"{name} exited with code {proc.returncode}; stopping everything", flush=True)
                    return
            time.sleep(0.5)

    def stop(self) -> None:
        for _name, proc in reversed(self._children):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for name, proc in reversed(self._children):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            print(f"  {name}: stopped", flush=True)
