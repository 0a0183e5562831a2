"""Logging in and out, and choosing the language."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from control_room import audit
from control_room.access import users
from control_room.access.models import User
from control_room.audit.actors import Actor
from control_room.context import db, services
from control_room.ui import login_limits
from control_room.ui.access import SessionUser
from control_room.ui.i18n import LANGUAGE_COOKIE, LANGUAGES

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("dashboard.index")


def _client_ip() -> str:
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(_safe_next(request.args.get("next")))
        return render_template("auth/login.html", next=request.args.get("next", ""))
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    next_url = request.form.get("next", "")
    session_db = db()
    now = services().clock.now()
    verdict = login_limits.check(session_db, username, _client_ip(), now)
    if not verdict.allowed:
        session_db.rollback()
        message = _("Too many failed attempts. Try again in %(minutes)s minute(s).",
                    minutes=verdict.retry_after_seconds // 60 + 1)
        return render_template("auth/login.html", error=message, username=username, next=next_url), 429
    user = users.authenticate(session_db, username, password) if username else None
    login_limits.record(session_db, username, _client_ip(), user is not None, now)
    if user is None:
        session_db.commit()
        return render_template("auth/login.html", error=_("Wrong username or password."),
                               username=username, next=next_url), 401
    audit.record(session_db, Actor.user(user.username), "user.logged_in", "user", user.username,
                 {"ip": _client_ip()})
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if user.locale is None and chosen in LANGUAGES:  # a first choice made on the login page is kept
        user.locale = chosen
    session_db.commit()
    session.clear()  # a fresh session: nothing from before the login survives (session fixation)
    login_user(SessionUser.of(user))
    session.permanent = True
    return redirect(_safe_next(next_url))


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        session_db = db()
        audit.record(session_db, Actor.user(current_user.username), "user.logged_out", "user",
                     current_user.username, {})
        session_db.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language():
    """Remembered on the user (every device) and in a cookie (the login page, before logging in)."""
    chosen = request.form.get("language", "")
    if chosen not in LANGUAGES:
        abort(400)
    if current_user.is_authenticated:
        session_db = db()
        user = session_db.get(User, current_user.id)
        if user is not None and user.locale != chosen:
            user.locale = chosen
            audit.record(session_db, Actor.user(user.username), "user.language_changed", "user", user.username,
                         {"language": chosen})
        session_db.commit()
    response = redirect(_safe_next(request.form.get("next")))
    response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                        secure=request.is_secure)
    return response
