"""One settings object per bot run, read from the environment, so the same bot code runs against the
sandbox, a customer's test systems or production by configuration alone.

Where the values come from, the first found winning:

1. ``ARFLEET_BOT_<NAME>`` — the runner passes these (and ``ARFLEET_CHROMIUM``,
   ``ARFLEET_CONNECTION_FILE``) to its bots and nothing else of its ``ARFLEET_*`` environment;
2. ``ARFLEET_<NAME>`` — for a bot run by hand (``python -m robocorp.tasks run …``);
3. the connection file named by ``ARFLEET_CONNECTION_FILE`` (what `arfleet up` and the sandbox
   write): its ``urls`` give the targets, its ``mail`` the SMTP server and our address, its
   ``files`` the print-batch folder. Its ``credentials`` are never read here: secrets come from
   the vault only;
4. the defaults below.

Target systems are named: ``ARFLEET_TARGET_<NAME>_URL`` (or ``ARFLEET_BOT_TARGET_<NAME>_URL``) gives
the base URL of target ``<name>`` (``ARFLEET_TARGET_PORTAL_A_URL`` → ``portal_a``), so a new portal
needs an environment variable or a line in the connection file, not a code change here.
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["MissingSetting", "Settings"]

_TARGET_PREFIXES = ("ARFLEET_BOT_TARGET_", "ARFLEET_TARGET_")
_TARGET_SUFFIX = "_URL"
DEFAULT_CHROMIUM = "/usr/lib/chromium/chromium"
CONNECTION_FILE = "ARFLEET_CONNECTION_FILE"
#: Connection-file URL names that the bots know under another target name (the file names the
#: sandbox's apps; the bots name what they use there).
CONNECTION_ALIASES = {"chorus_pro": "chorus_pro_portal"}


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
    mail_from: str = ""  # our address on invoices sent by e-mail (the AR mailbox)
    smtp_secret: str | None = None  # vault secret with the SMTP login, when the server wants one
    print_batch_dir: Path = Path("output/print-batches")
    timezone: str = "Europe/Paris"
    #: SIRETs of public buyers whose invoices go through Chorus Pro's web portal even when the API
    #: is configured (a buyer whose API connection is not set up yet, for instance).
    chorus_pro_portal_buyers: frozenset[str] = frozenset()
    #: How far back the collect step looks for new invoices when its input does not say.
    collect_lookback_days: int = 4

    def target_url(self, name: str) -> str:
        """Base URL of target system ``name`` (no trailing slash)."""
        try:
            return self.targets[name]
        except KeyError:
            raise MissingSetting(f"no URL for target {name!r}: set {target_variable(name)} (or give "
                                 f"{CONNECTION_FILE} a connection file whose \"urls\" name it)") from None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        connection = read_connection(env.get(CONNECTION_FILE))
        mail, files = connection.get("mail") or {}, connection.get("files") or {}

        def get(name: str, default: str = "") -> str:
            return env.get(f"ARFLEET_BOT_{name}") or env.get(f"ARFLEET_{name}") or default

        output_dir = Path(env.get("ROBOT_ARTIFACTS") or get("OUTPUT_DIR") or "output")
        return cls(
            chromium=get("CHROMIUM", DEFAULT_CHROMIUM),
            headless=_flag(get("HEADLESS", "1")),
            browser_timeout_ms=int(get("BROWSER_TIMEOUT_MS", "15000")),
            retry_delays_s=_delays(get("RETRY_DELAYS_S", "0.5,2,5")),
            output_dir=output_dir,
            targets={**targets_from_connection(connection), **targets_from_env(env)},
            smtp_host=get("SMTP_HOST", str(mail.get("host") or "127.0.0.1")),
            smtp_port=int(get("SMTP_PORT", str(mail.get("smtp_port") or 25))),
            mail_from=get("MAIL_FROM", str(mail.get("ar_mailbox") or "")),
            smtp_secret=get("SMTP_SECRET") or None,
            print_batch_dir=Path(get("PRINT_BATCH_DIR") or _print_batch_dir(connection, files, output_dir)),
            timezone=get("TIMEZONE", "Europe/Paris"),
            chorus_pro_portal_buyers=frozenset(
                part.replace(" ", "") for part in get("CHORUS_PRO_PORTAL_BUYERS").split(",") if part.strip()),
            collect_lookback_days=int(get("COLLECT_LOOKBACK_DAYS", "4")),
        )


def read_connection(path: str | None) -> dict[str, Any]:
    """The connection file's content, or {} when none is named. A named file that cannot be read
    is an error: the bot would otherwise run against the wrong systems."""
    if not path:
        return {}
    try:
        content = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MissingSetting(f"{CONNECTION_FILE}={path} cannot be read: {exc}") from None
    if not isinstance(content, dict):
        raise MissingSetting(f"{CONNECTION_FILE}={path} is not a JSON object")
    return content


def target_variable(name: str) -> str:
    return f"ARFLEET_TARGET_{name.upper()}{_TARGET_SUFFIX}"


def targets_from_env(env: Mapping[str, str]) -> dict[str, str]:
    """Every ``ARFLEET_TARGET_<NAME>_URL`` as ``{"<name>": url}``; ``ARFLEET_BOT_TARGET_…`` wins."""
    found: dict[str, str] = {}
    for prefix in reversed(_TARGET_PREFIXES):
        for key, value in env.items():
            if key.startswith(prefix) and key.endswith(_TARGET_SUFFIX) and value.strip():
                found[key[len(prefix):-len(_TARGET_SUFFIX)].lower()] = value.strip().rstrip("/")
    return found


def targets_from_connection(connection: Mapping[str, Any]) -> dict[str, str]:
    """The connection file's ``urls``, each under its own name and, for the few the bots call
    otherwise, under that name too (``chorus_pro`` → also ``chorus_pro_portal``)."""
    found: dict[str, str] = {}
    for name, url in (connection.get("urls") or {}).items():
        if isinstance(url, str) and url.strip():
            found[name] = url.strip().rstrip("/")
            if name in CONNECTION_ALIASES:
                found[CONNECTION_ALIASES[name]] = found[name]
    return found


def _print_batch_dir(connection: Mapping[str, Any], files: Mapping[str, Any], output_dir: Path) -> Path:
    """The day's print batch must outlive the run: the connection file's folder for it, else one
    beside the sandbox's data, else the run's output folder (a bot run by hand)."""
    if files.get("print_batches"):
        return Path(files["print_batches"])
    if connection.get("data_dir"):
        return Path(connection["data_dir"]) / "print-batches"
    return output_dir / "print-batches"


def _flag(text: str) -> bool:
    return text.strip().lower() not in ("0", "false", "no", "off", "")


def _delays(text: str) -> tuple[float, ...]:
    return tuple(float(part) for part in text.split(",") if part.strip())
