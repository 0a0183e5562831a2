"""Server-side login sessions, as both portals keep them: the browser's cookie holds only a token;
the session ends after 15 idle minutes on the business clock, or earlier when the fault injector
logs sessions out (``faults().session_expired``). Each portal says when a login makes a user
(portal A: once the second factor is passed) and how it words an ended session."""
from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, Protocol, TypeVar

from flask import current_app, flash, g, redirect, request, session, url_for

from sandbox.app_clock import clock
from sandbox.app_db import db
from sandbox.faults import faults


class LoginRow(Protocol):
    token: str
    started_at: datetime
    last_seen: datetime
    user: Any


Row = TypeVar("Row", bound=LoginRow)
View = TypeVar("View", bound=Callable[..., Any])


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def session_expired(started_at: datetime, last_seen: datetime) -> bool:
    """Whether a session started at ``started_at`` and last used at ``last_seen`` is over, on the
    business clock: moving it (``/_admin/advance``) ages sessions as it ages invoices."""
    return faults().session_expired(started_at.timestamp(), last_seen.timestamp(),
                                    current_app.config["SESSION_IDLE_SECONDS"], now=clock().now().timestamp())


def load_login(model: type[Row], signed_in: Callable[[Row], bool] = lambda login: True) -> None:
    """``before_app_request``: set ``g.login`` (the browser's live login session, if any),
    ``g.user`` (its user once ``signed_in(login)``) and ``g.session_ended``."""
    g.login = g.user = None
    g.session_ended = False
    if request.endpoint in (None, "static") or request.path.startswith("/_admin/"):
        return
    g.login, g.session_ended = resume_login(model)
    if g.login is not None and signed_in(g.login):
        g.user = g.login.user


def login_required(ended_message: str) -> Callable[[View], View]:
    """A view decorator sending visitors without a user to the login page (and back, for a GET),
    with ``ended_message`` shown when their session has just ended."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if g.user is None:
                if g.session_ended:
                    flash(ended_message, "warning")
                wanted = request.full_path.rstrip("?") if request.method == "GET" else None
                return redirect(url_for("auth.login", next=wanted))
            return view(*args, **kwargs)
        return wrapped  # type: ignore[return-value]

    return decorate


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
