"""One settings object per bot run, read from environment variables, so the same bot code runs
against the sandbox, a customer's test systems or production by configuration alone.

Target systems are named: ``ARFLEET_TARGET_<NAME>_URL`` gives the base URL of target ``<name>``
(``ARFLEET_TARGET_PORTAL_A_URL`` → ``portal_a``), so a new portal needs an environment variable,
not a code change here. Secrets never come from here: they come from the vault.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

_TARGET_PREFIX = "ARFLEET_TARGET_"
_TARGET_SUFFIX = "_URL"
DEFAULT_CHROMIUM = "/usr/lib/chromium/chromium"


class MissingSetting(RuntimeError):
    """A setting the bot needs is not configured; the message names the environment variable."""


@dataclass(frozen=True)
class Settings:
    chromium: str = DEFAULT_CHROMIUM
    headless: bool = True
    browser_timeout_ms: int = 15_000  # a changed screen fails after this long instead of hanging
    retry_delays_s: tuple[float, ...] = (0.5, 2.0, 5.0)  # pauses between tries of a transient step
    output_dir: Path = Path("output")
    targets: Mapping[str, str] = field(default_factory=dict)
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    mail_from: str = ""
    smtp_secret: str | None = None  # vault secret with the SMTP login, when the server wants one
    print_batch_dir: Path = Path("output/print-batches")
    timezone: str = "Europe/Paris"

    def target_url(self, name: str) -> str:
        """Base URL of target system ``name`` (no trailing slash)."""
        try:
            return self.targets[name]
        except KeyError:
            raise MissingSetting(f"no URL for target {name!r}: set {target_variable(name)}") from None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        output_dir = Path(env.get("ROBOT_ARTIFACTS") or env.get("ARFLEET_OUTPUT_DIR") or "output")
        return cls(
            chromium=env.get("ARFLEET_CHROMIUM") or DEFAULT_CHROMIUM,
            headless=_flag(env.get("ARFLEET_HEADLESS", "1")),
            browser_timeout_ms=int(env.get("ARFLEET_BROWSER_TIMEOUT_MS", "15000")),
            retry_delays_s=_delays(env.get("ARFLEET_RETRY_DELAYS_S", "0.5,2,5")),
            output_dir=output_dir,
            targets=targets_from_env(env),
            smtp_host=env.get("ARFLEET_SMTP_HOST", "127.0.0.1"),
            smtp_port=int(env.get("ARFLEET_SMTP_PORT", "25")),
            mail_from=env.get("ARFLEET_MAIL_FROM", ""),
            smtp_secret=env.get("ARFLEET_SMTP_SECRET") or None,
            print_batch_dir=Path(env.get("ARFLEET_PRINT_BATCH_DIR") or output_dir / "print-batches"),
            timezone=env.get("ARFLEET_TIMEZONE", "Europe/Paris"),
        )


def target_variable(name: str) -> str:
    return f"{_TARGET_PREFIX}{name.upper()}{_TARGET_SUFFIX}"


def targets_from_env(env: Mapping[str, str]) -> dict[str, str]:
    """Every ``ARFLEET_TARGET_<NAME>_URL`` as ``{"<name>": url}``."""
    found = {}
    for key, value in env.items():
        if key.startswith(_TARGET_PREFIX) and key.endswith(_TARGET_SUFFIX) and value.strip():
            name = key[len(_TARGET_PREFIX):-len(_TARGET_SUFFIX)].lower()
            found[name] = value.strip().rstrip("/")
    return found


def _flag(text: str) -> bool:
    return text.strip().lower() not in ("0", "false", "no", "off", "")


def _delays(text: str) -> tuple[float, ...]:
    return tuple(float(part) for part in text.split(",") if part.strip())
