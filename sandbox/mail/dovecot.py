"""One Dovecot master process, run in the foreground (``dovecot -F -c FILE``) from a data folder.

No systemd and no /etc/dovecot: the config, passwd-file, Maildirs, sockets and log all live in
the data folder (sockets in a short temporary folder when the data folder's path is too long for
a unix socket). Stopping waits for the master to be gone, so a restart can bind the same ports.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from pathlib import Path

from sandbox.mail.dovecot_conf import DovecotPaths, render_config
from sandbox.mail.system_users import SystemUsers

DOVECOT = os.environ.get("ARFLEET_DOVECOT", "/usr/sbin/dovecot")
_MAX_RUN_DIR = 60  # unix socket paths are limited to 107 bytes; Dovecot adds up to ~40
_START_TIMEOUT_S = 15.0
_STOP_TIMEOUT_S = 15.0


class DovecotError(RuntimeError):
    """Dovecot could not be started or stopped; the message carries the end of its log."""


class Dovecot:
    """Starts, watches and stops the master process for one data folder."""

    def __init__(self, data_dir: Path, users: SystemUsers, *, host: str, hostname: str) -> None:
        self.data_dir = data_dir
        self.host = host
        self.hostname = hostname  # in the Received: lines Dovecot adds
        self._users = users
        self._own_run_dir = False
        self.paths = DovecotPaths(
            config=data_dir / "dovecot.conf",
            users=data_dir / "users",
            mail=data_dir / "mail",
            log=data_dir / "dovecot.log",
            run_dir=data_dir / "run",
            state_dir=data_dir / "state",
        )
        self._process: subprocess.Popen | None = None
        self.imap_port = 0
        self.lmtp_port = 0

    def prepare(self) -> None:
        """Create the folders with the owners Dovecot insists on."""
        _check_reachable(self.data_dir, self._users)
        for folder in (self.paths.mail, self.paths.state_dir):
            folder.mkdir(parents=True, exist_ok=True)
        if self._users.privileged:
            os.chown(self.paths.mail, self._users.mail_uid, self._users.mail_gid)
        if len(str(self.paths.run_dir)) > _MAX_RUN_DIR:
            self.paths = _with_run_dir(self.paths, Path(tempfile.mkdtemp(prefix="arfleet-dovecot-")))
            self._own_run_dir = True
        self.paths.run_dir.mkdir(exist_ok=True)
        os.chmod(self.paths.run_dir, 0o755)

    def start(self, imap_port: int, lmtp_port: int) -> None:
        """Write the config and start the master; returns once IMAP and LMTP greet."""
        if self.running:
            raise DovecotError("Dovecot is already running for this data folder")
        self._stop_leftover()
        self.imap_port, self.lmtp_port = imap_port, lmtp_port
        self.paths.config.write_text(
            render_config(
                self.paths, self._users, host=self.host, hostname=self.hostname, imap_port=imap_port,
                lmtp_port=lmtp_port,
            ),
            encoding="utf-8",
        )
        stderr_path = self.data_dir / "dovecot.stderr"
        with open(stderr_path, "wb") as stderr:
            self._process = subprocess.Popen(
                [DOVECOT, "-F", "-c", str(self.paths.config)],
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
                start_new_session=True,  # Ctrl-C in a terminal reaches us, and we stop Dovecot cleanly
            )
        deadline = time.monotonic() + _START_TIMEOUT_S
        for port, greeting in ((imap_port, b"* OK"), (lmtp_port, b"220 ")):
            while not self._greets(port, greeting):
                if self._process.poll() is not None:
                    self._process = None
                    raise DovecotError(f"Dovecot exited at start:\n{self.diagnostics()}")
                if time.monotonic() > deadline:
                    self.stop()
                    raise DovecotError(f"Dovecot did not answer on port {port}:\n{self.diagnostics()}")
                time.sleep(0.02)

    def stop(self) -> None:
        """SIGTERM the master and wait until it is gone (Dovecot takes about a second)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._own_run_dir:
            shutil.rmtree(self.paths.run_dir, ignore_errors=True)
            self.paths = _with_run_dir(self.paths, self.data_dir / "run")
            self._own_run_dir = False

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def diagnostics(self) -> str:
        """The last lines Dovecot wrote, for error messages (its log, or stderr before the log)."""
        for path in (self.paths.log, self.data_dir / "dovecot.stderr"):
            if path.exists() and path.stat().st_size:
                return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-15:])
        return "(Dovecot wrote nothing)"

    def _greets(self, port: int, greeting: bytes) -> bool:
        # Dovecot's login process greets only once its auth process is ready.
        try:
            with socket.create_connection((self.host, port), timeout=1) as conn:
                return conn.recv(64).startswith(greeting)
        except OSError:
            return False

    def _stop_leftover(self) -> None:
        """End a master of this same data folder left by a process that died without stopping it."""
        pid_file = self.paths.run_dir / "master.pid"
        try:
            pid = int(pid_file.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError):
            return
        if str(self.paths.config).encode() not in cmdline:
            return  # the pid was reused by an unrelated process
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + _STOP_TIMEOUT_S
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)


def _with_run_dir(paths: DovecotPaths, run_dir: Path) -> DovecotPaths:
    return DovecotPaths(paths.config, paths.users, paths.mail, paths.log, run_dir, paths.state_dir)


def _check_reachable(data_dir: Path, users: SystemUsers) -> None:
    """Dovecot's mail processes run as ``mail``: every folder above the data folder must let it in.

    pytest's tmp_path (mode 0700 under /tmp/pytest-of-root) does not, for instance.
    """
    if not users.privileged:
        return
    folder = data_dir.resolve()
    for parent in [folder, *folder.parents]:
        if not parent.exists():
            continue
        mode = parent.stat()
        if not (mode.st_mode & stat.S_IXOTH or mode.st_uid == users.mail_uid):
            raise DovecotError(
                f"{parent} is closed to the {users.mail_user!r} user that Dovecot keeps mail as; "
                f"choose a data folder under a world-traversable path (chmod o+x {parent})"
            )
