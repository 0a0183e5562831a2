"""Logging in to portal B: user name and password, no second factor. Login sessions are kept
server-side (with the invoice draft in progress) and end after 15 idle minutes, or earlier when the
fault injector says so."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.security import check_password_hash

from sandbox.app_db import db
from sandbox.app_site import safe_next
from sandbox.portal_b.models import LoginSession, User
from sandbox.portal_common import login_sessions
from sandbox.portal_common.login_sessions import end_login, start_login

bp = Blueprint("auth", __name__)

SESSION_TIMED_OUT = "Your session timed out. Please log in again."
login_required = login_sessions.login_required(SESSION_TIMED_OUT)


@bp.before_app_request
def load_login() -> None:
    login_sessions.load_login(LoginSession)


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
