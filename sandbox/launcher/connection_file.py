"""The connection file: where a running sandbox answers. ``urls``, ``mail`` and ``files`` are
what the bots' configuration reads; ``credentials`` (vault secrets: name -> values) are for
`arfleet up` to store in the vault, never for the bots to read from the file; ``processes``
lets tools see what runs.

Example::

    {"version": 1, "started_at": "2026-11-25T18:30:00+01:00", "data_dir": "/srv/arfleet/sandbox",
     "urls": {"erp": "http://127.0.0.1:41001", "portal_a": ..., "portal_b": ..., "chorus_pro": ...,
              "chorus_pro_api": "http://127.0.0.1:41004/cpro",
              "chorus_pro_token": "http://127.0.0.1:41004/api/oauth/token"},
     "mail": {"host": "127.0.0.1", "imap_port": 41005, "smtp_port": 41006,
              "ar_mailbox": "comptabilite.clients@mid-demo.example"},
     "files": {"bank_statements": ".../bank/camt053", "bank_notifications": ".../bank/camt054",
               "demo_data": ".../demo/demo_data.json", "documents": ".../demo/documents",
               "documents_truth": ".../demo/documents.json", "ground_truth": ".../demo/ground_truth.json"},
     "processes": {"erp": 12345, ..., "dovecot": 12350},
     "credentials": {"erp_c.martin": {"username", "password"}, "erp_rpa.cash": {...},
                     "portal_a_SUP-123456": {"login", "password", "supplier_id", "totp_secret"},
                     "portal_b_AN0123456789": {"login", "password", "supplier_id"},
                     "chorus_pro_api": {"client_id", "client_secret", "technical_login", "technical_password"},
                     "chorus_pro_portal": {"login", "password"}, "mail_ar": {"address", "password"},
                     "mail_customers": {address: password}, "sandbox_admin": {"token"}}}
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sandbox.launcher.state import write_private

VERSION = 1


def connection(*, data_dir: Path, urls: dict[str, str], mail: dict, files: dict[str, Path], processes: dict[str, int],
               credentials: dict[str, dict]) -> dict:
    return {
        "version": VERSION,
        "started_at": datetime.now(ZoneInfo("Europe/Paris")).replace(microsecond=0).isoformat(),
        "data_dir": str(data_dir),
        "urls": urls,
        "mail": mail,
        "files": {name: str(path) for name, path in files.items()},
        "processes": processes,
        "credentials": credentials,
    }


def write_connection_file(path: Path, content: dict) -> None:
    """Owner-only: the file holds the demo credentials."""
    write_private(path, json.dumps(content, indent=2, ensure_ascii=False) + "\n")


def read_connection_file(path: str | Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))
