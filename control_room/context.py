"""What a request needs from the app: settings, database sessions, the vault, files, URL signing.
Built once per app by `create_app`; the request's session lives on `g` and is closed at teardown."""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from control_room.clock import Clock
from control_room.config import Settings
from control_room.storage.files import FileStore
from control_room.storage.signed_urls import UrlSigner
from control_room.vault.store import Vault


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    vault: Vault
    files: FileStore
    signer: UrlSigner
    clock: Clock


def derive_key(master: bytes, purpose: str) -> bytes:
    """A sub-key for `purpose` (session cookies, URL signing): every control-room process sharing the
    master key derives the same one, and none of them needs another secret file."""
    return hmac.new(master, f"arfleet:{purpose}".encode(), hashlib.sha256).digest()


def services() -> Services:
    return current_app.extensions["arfleet"]


def db() -> Session:
    """The request's session; the view commits, teardown rolls back whatever was not committed."""
    if "db_session" not in g:
        g.db_session = services().sessions()
    return g.db_session


def close_db(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
