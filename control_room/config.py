"""One settings object for the control room, read from ARFLEET_* environment variables."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _default_home() -> Path:
    return Path(os.environ.get("ARFLEET_HOME", Path.cwd() / "var"))


@dataclass(frozen=True)
class Settings:
    """Everything the control room can be configured with. Secrets never live here, only paths to them."""

    home: Path = field(default_factory=_default_home)
    database_url: str = ""
    master_key: str | None = None  # base64 of 32 bytes; else the key file below
    master_key_file: Path | None = None
    public_url: str = ""  # how runners reach the control room; default: the URL of the request
    max_payload_bytes: int = 1024 * 1024
    max_file_bytes: int = 50 * 1024 * 1024
    default_lease_seconds: int = 600
    signed_url_seconds: int = 300

    @property
    def files_dir(self) -> Path:
        return self.home / "files"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'arfleet.db'}"

    @property
    def resolved_master_key_file(self) -> Path:
        return self.master_key_file or self.home / "master.key"

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        env = os.environ
        values: dict = {
            "home": Path(env["ARFLEET_HOME"]) if env.get("ARFLEET_HOME") else _default_home(),
            "database_url": env.get("ARFLEET_DATABASE_URL", ""),
            "master_key": env.get("ARFLEET_MASTER_KEY") or None,
            "master_key_file": Path(env["ARFLEET_MASTER_KEY_FILE"]) if env.get("ARFLEET_MASTER_KEY_FILE") else None,
            "public_url": env.get("ARFLEET_PUBLIC_URL", ""),
            "max_payload_bytes": int(env.get("ARFLEET_MAX_PAYLOAD_BYTES", 1024 * 1024)),
            "max_file_bytes": int(env.get("ARFLEET_MAX_FILE_BYTES", 50 * 1024 * 1024)),
        }
        values.update(overrides)
        return cls(**values)
