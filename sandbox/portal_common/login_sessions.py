"""Server-side login sessions, as both portals keep them: the browser's cookie holds only a token;
the session ends after 15 idle minutes on the business clock, or earlier when the fault injector
logs sessions out (``faults().session_expired``)."""
from __future__ import annotations

import secrets
import time
from datetime import datetime
from typing import Protocol, TypeVar

from flask import current_app, session

from sandbox.faults import faults
from sandbox.portal_common.clock import clock
from sandbox.portal_common.db import db


class LoginRow(Protocol):
    token: str
    started_at: datetime
    last_seen: datetime


Row = TypeVar("Row", bound=LoginRow)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def session_expired(started_at: datetime, last_seen: datetime) -> bool:
    """Whether a session started at ``started_at`` and last used at ``last_seen`` is over.

    The fault injector measures on the wall clock; the times are shifted by the business clock's
    offset so that moving the business clock (``/_admin/advance``) ages sessions as it ages invoices.
    """
    shift = time.time() - clock().now().timestamp()
    return faults().session_expired(started_at.timestamp() + shift, last_seen.timestamp() + shift,
                                    current_app.config["SESSION_IDLE_SECONDS"])


def resume_login(model: type[Row]) -> tuple[Row | None, bool]:
    """The browser's live login session (its activity noted), and whether one has just ended."""
    token = session.get("sid")
    if not token:
        return None, False
    s = db()
    login = s.get(model, token)
    if login is None or session_expired(login.started_at, login.last_seen):
        if login is not None:
            s.delete(login)
            s.commit()
        session.pop("sid", None)
        return None, True
    login.last_seen = clock().now()
    s.commit()
    return login, False


def start_login(model: type[Row], previous: Row | None, **fields) -> Row:
    """A new login session for the browser, replacing the one it had."""
    s = db()
    if previous is not None:
        s.delete(previous)
    now = clock().now()
    login = model(token=new_session_token(), started_at=now, last_seen=now, **fields)
    s.add(login)
    s.commit()
    session["sid"] = login.token
    return login


def end_login(login: Row | None) -> None:
    if login is not None:
        s = db()
        s.delete(login)
        s.commit()
    session.pop("sid", None)


def safe_next(target: str | None) -> str | None:
    """Where to go after login: only a path on this site, never another site."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None
