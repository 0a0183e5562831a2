"""The runner's long-lived credential, kept in a 0600 file: registering trades the one-time token for
it once; later starts reuse it."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RunnerIdentity:
    url: str
    name: str
    runner_id: int
    credential: str

    def __repr__(self) -> str:
        return f"RunnerIdentity(url={self.url!r}, name={self.name!r}, runner_id={self.runner_id}, credential=<hidden>)"


def load(path: Path) -> RunnerIdentity | None:
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    return RunnerIdentity(data["url"], data["name"], data["runner_id"], data["credential"])


def save(path: Path, identity: RunnerIdentity) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump({"url": identity.url, "name": identity.name, "runner_id": identity.runner_id,
                   "credential": identity.credential}, out)
    os.replace(tmp, path)
