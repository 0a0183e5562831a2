"""Logging in and out, and the idle timeout: a session unused for 15 minutes (or cut short by an
injected fault) is logged out, and the next page says so."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, Flask, current_app, flash, g, redirect, render_template, request, session, url_for
from sqlalchemy import select
from werkzeug.security import check_password_hash

from sandbox.app_clock import clock
from sandbox.app_db import db
from sandbox.app_site import safe_next
from sandbox.erp.models import User
from sandbox.faults import faults

bp = Blueprint("auth", __name__)
EXPIRED_MESSAGE = "Your session has expired after a period of inactivity. Please log in again."


def init_app(app: Flask) -> None:
    app.before_request(_load_user)


def _load_user() -> None:
    """Set ``g.user``; log the session out when it has been idle too long."""
    g.user = None
    if request.endpoint in (None, "static") or request.path.startswith("/_admin/"):
        return
    user_id = session.get("user_id")
    if user_id is None:
        return
    now = clock().now().timestamp()  # sessions age on the ERP's (adjustable) clock
    if faults().session_expired(session.get("started_at", now), session.get("last_seen", now),
                                current_app.config["SESSION_IDLE_S"], now=now):
        session.clear()
        g.session_expired = True
        return
    g.user = db().get(User, user_id)
    if g.user is None:
        session.clear()
        return
    session["last_seen"] = now


def login_required(view):
    """Send anonymous visitors to the login page; a fetch of a list fragment gets a 401 instead."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is not None:
            return view(*args, **kwargs)
        expired = g.get("session_expired", False)
        if request.headers.get("X-Requested-With") == "fetch":
            return ("Session expired" if expired else "Not logged in"), 401
        if expired:
            flash(EXPIRED_MESSAGE, "warning")
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))

    return wrapped


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        user = db().scalar(select(User).where(User.username == username))
        if user is None or not check_password_hash(user.password_hash, password):
            error = "Unknown user name or wrong password."
        else:
            session.clear()
            now = clock().now().timestamp()
            session.update(user_id=user.id, started_at=now, last_seen=now)
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
    return render_template("login.html", error=error), (401 if error else 200)


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    flash("You have been logged out.", "info")
    return redirect(url_for("auth.login"))
