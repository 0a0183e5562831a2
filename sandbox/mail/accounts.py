"""The mailbox accounts, kept in the passwd-file that Dovecot authenticates and looks users up in.

Dovecot re-reads a passwd-file when it changes, so adding an account needs no reload (but it
looks at the file at most once a second: see ``MailServer.add_accounts``). The SMTP
relay asks the same store whether a recipient exists and whether a login is right, as a real
relay asks the mail server's user database.
"""
from __future__ import annotations

import hmac
import os
import re
import threading
import time
from collections.abc import Mapping
from pathlib import Path

_ADDRESS = re.compile(r"^[a-z0-9!#$%&'*/=?^_`{|}~.+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$")


def normalise_address(address: str) -> str:
    """The address as Dovecot stores it (``auth_username_format = %Lu``: lower-cased, whole)."""
    normalised = address.strip().lower()
    if not _ADDRESS.match(normalised):
        raise ValueError(f"not a mailbox address: {address!r}")
    return normalised


def without_detail(address: str) -> str:
    """``ar+remittances@x.fr`` is delivered to ``ar@x.fr`` (Dovecot's ``recipient_delimiter``)."""
    local, _, domain = address.partition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def _check_password(password: str) -> None:
    if not password or any(c == ":" or ord(c) < 32 or ord(c) == 127 for c in password):
        raise ValueError("a mailbox password must be non-empty, without ':' or control characters")


class Accounts:
    """Addresses and passwords of the mailboxes, mirrored to ``path`` in passwd-file format."""

    def __init__(self, path: Path, file_gid: int | None = None) -> None:
        self._path = path
        self._file_gid = file_gid  # the group Dovecot's auth process reads the file as
        self._lock = threading.Lock()
        self._passwords: dict[str, str] = self._read() if path.exists() else {}

    def add(self, accounts: Mapping[str, str]) -> list[str]:
        """Create mailboxes, or change their passwords; returns the normalised addresses."""
        checked = {}
        for address, password in accounts.items():
            _check_password(password)
            checked[normalise_address(address)] = password
        with self._lock:
            self._passwords.update(checked)
            self._write()
        return list(checked)

    def exists(self, address: str) -> bool:
        try:
            normalised = normalise_address(address)
        except ValueError:
            return False
        return without_detail(normalised) in self._passwords

    def check_login(self, login: str, password: str) -> bool:
        """Whether ``login``/``password`` opens a mailbox (the relay's SMTP AUTH check)."""
        try:
            expected = self._passwords.get(normalise_address(login))
        except ValueError:
            return False
        return expected is not None and hmac.compare_digest(expected.encode(), password.encode())

    @property
    def addresses(self) -> list[str]:
        return sorted(self._passwords)

    @property
    def domains(self) -> frozenset[str]:
        return frozenset(address.partition("@")[2] for address in self._passwords)

    def _read(self) -> dict[str, str]:
        passwords = {}
        for line in self._path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            user, _, rest = line.partition(":")
            password = rest.split(":", 1)[0]
            passwords[user] = password.removeprefix("{PLAIN}")
        return passwords

    def _write(self) -> None:
        # userdb fields (uid, gid, home) stay empty: the config's default_fields fill them in.
        lines = [f"{user}:{{PLAIN}}{password}::::::" for user, password in sorted(self._passwords.items())]
        tmp = self._path.with_suffix(".tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        # Dovecot notices a change by mtime (whole seconds) or size: make the mtime move even
        # when two writes of the same size fall in the same second.
        previous = int(self._path.stat().st_mtime) if self._path.exists() else 0
        stamp = max(int(time.time()), previous + 1)
        os.utime(tmp, (stamp, stamp))
        os.chmod(tmp, 0o640)
        if self._file_gid is not None:
            os.chown(tmp, -1, self._file_gid)
        os.replace(tmp, self._path)  # atomic: Dovecot never reads a half-written file
