"""What a sandbox remembers between starts: its admin token and session key (random, made once)
and which one-off steps are done (an app seeded, the mailbox stream delivered), so a restart keeps
what the bots did instead of seeding again. Kept in ``state.json``, readable by its owner only."""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path


class SandboxState:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._data: dict = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        self._data.setdefault("admin_token", secrets.token_urlsafe(24))
        self._data.setdefault("secret_key", secrets.token_hex(32))
        self._data.setdefault("done", [])
        self.save()

    @property
    def admin_token(self) -> str:
        return self._data["admin_token"]

    @property
    def secret_key(self) -> str:
        return self._data["secret_key"]

    def is_done(self, step: str) -> bool:
        return step in self._data["done"]

    def mark_done(self, step: str) -> None:
        if step not in self._data["done"]:
            self._data["done"].append(step)
            self.save()

    def save(self) -> None:
        write_private(self.path, json.dumps(self._data, indent=2) + "\n")


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only, replacing it atomically."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)
