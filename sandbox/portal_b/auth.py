"""Logging in to portal B: user name and password, no second factor. Login sessions are kept
server-side (with the invoice draft in progress) and end after 15 idle minutes, or earlier when the
fault injector says so."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.security import check_password_hash

from sandbox.portal_b.models import LoginSession, User
from sandbox.portal_common.db import db
from sandbox.portal_common.login_sessions import end_login, resume_login, safe_next, start_login

bp = Blueprint("auth", __name__)

SESSION_TIMED_OUT = "Your session timed out. Please log in again."


@bp.before_app_request
def load_login() -> None:
    g.login = g.user = None
    g.session_ended = False
    if request.endpoint in (None, "static") or request.path.startswith("/_admin/"):
        return
    g.login, g.session_ended = resume_login(LoginSession)
    if g.login is not None:
        g.user = g.login.user


def login_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None:
            if g.session_ended:
                flash(SESSION_TIMED_OUT, "warning")
            wanted = request.full_path.rstrip("?") if request.method == "GET" else None
            return redirect(url_for("auth.login", next=wanted))
        return view(*args, **kwargs)
    return wrapped


@bp.route("/login", methods=["GET", "POST"])
def login():
    if g.user is not None:
        return redirect(url_for("home.dashboard"))
    error = None
    if request.method == "POST":
        user = db().scalar(select(User).where(User.login == request.form.get("username", "").strip()))
        if user is None or not check_password_hash(user.password_hash, request.form.get("password", "")):
            error = "The user name or password is incorrect."
        else:
            start_login(LoginSession, g.login, user_id=user.id)
            return redirect(safe_next(request.args.get("next")) or url_for("home.dashboard"))
    return render_template("portal_b/login.html", error=error, username=request.form.get("username", ""))


@bp.post("/logout")
def logout():
    end_login(g.login)
    flash("You have logged out.", "info")
    return redirect(url_for("auth.login"))
