"""Signing in to portal A: login and password, then a six-digit code from the user's authenticator
app (TOTP, 30-second steps, one step of drift either way). Login sessions are kept server-side and
end after 15 idle minutes, or earlier when the fault injector says so."""
from __future__ import annotations

import pyotp
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.security import check_password_hash

from sandbox.app_db import db
from sandbox.app_site import safe_next
from sandbox.portal_a.models import LoginSession, User
from sandbox.portal_common import login_sessions
from sandbox.portal_common.login_sessions import end_login, start_login

bp = Blueprint("auth", __name__)

MAX_FAILED_CODES = 5
SESSION_EXPIRED = "Your session has expired. Please sign in again."
login_required = login_sessions.login_required(SESSION_EXPIRED)


@bp.before_app_request
def load_login() -> None:
    """Find the browser's login session; the user is known once the second factor is passed."""
    login_sessions.load_login(LoginSession, signed_in=lambda login: login.second_factor_passed)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if g.user is not None:
        return redirect(url_for("invoices.list_invoices"))
    error = None
    if request.method == "POST":
        s = db()
        user = s.scalar(select(User).where(User.login == request.form.get("login", "").strip()))
        if user is None or not check_password_hash(user.password_hash, request.form.get("password", "")):
            error = "Invalid login or password."
        else:
            start_login(LoginSession, g.login, user_id=user.id)
            return redirect(url_for("auth.verify", next=safe_next(request.args.get("next"))))
    return render_template("portal_a/login.html", error=error,
                           login_value=request.form.get("login", ""))


@bp.route("/login/verify", methods=["GET", "POST"])
def verify():
    login = g.login
    if login is None or login.second_factor_passed:
        if g.session_ended:
            flash(SESSION_EXPIRED, "warning")
        return redirect(url_for("auth.login"))
    error = None
    if request.method == "POST":
        code = "".join(request.form.get("totp_code", "").split())
        s = db()
        if code.isdigit() and pyotp.TOTP(login.user.totp_secret).verify(code, valid_window=1):
            login.second_factor_passed = True
            s.commit()
            return redirect(safe_next(request.args.get("next")) or url_for("invoices.list_invoices"))
        login.failed_codes += 1
        if login.failed_codes >= MAX_FAILED_CODES:
            end_login(login)
            flash("Too many incorrect codes. Please sign in again.", "error")
            return redirect(url_for("auth.login"))
        s.commit()
        error = "Invalid verification code. Try again."
    return render_template("portal_a/verify.html", error=error)


@bp.post("/logout")
def logout():
    end_login(g.login)
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))

