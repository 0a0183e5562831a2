"""Users (admin): create, change role, disable and enable again. Every change is audited; an admin
cannot lock themselves out."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from control_room import audit
from control_room.access import users as accounts
from control_room.access.models import Role, User
from control_room.context import db
from control_room.ui.access import actor, me, requires

bp = Blueprint("users", __name__, url_prefix="/users")


def _page(error: str | None = None, form: dict | None = None, status: int = 200):
    return render_template("users/index.html", users=db().scalars(select(User).order_by(User.username)).all(),
                           roles=[r.value for r in Role], error=error, form=form or {}), status


@bp.get("")
@requires("users.manage")
def index():
    return _page()


@bp.post("")
@requires("users.manage")
def create():
    username = request.form.get("username", "").strip()
    role = request.form.get("role", "")
    form = {"username": username, "role": role}  # never the password
    if not username or len(username) > 120:
        return _page(_("A username is required."), form, 400)
    if role not in {r.value for r in Role}:
        return _page(_("Choose a role."), form, 400)
    session = db()
    try:
        accounts.create_user(session, username, request.form.get("password", ""), Role(role), actor())
    except accounts.UserError as exc:
        session.rollback()
        return _page(str(exc), form, 400)
    session.commit()
    flash(_("User %(name)s created.", name=username), "success")
    return redirect(url_for("users.index"))


def _user(user_id: int) -> User:
    user = db().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/<int:user_id>/role")
@requires("users.manage")
def change_role(user_id: int):
    session, user = db(), _user(user_id)
    role = request.form.get("role", "")
    if role not in {r.value for r in Role}:
        abort(400)
    if user.id == me().id and role != Role.ADMIN.value:
        flash(_("You cannot take the admin role away from yourself."), "error")
        return redirect(url_for("users.index"))
    if user.role.value != role:
        audit.record(session, actor(), "user.role_changed", "user", user.username,
                     {"from": user.role.value, "to": role})
        user.role = Role(role)
        session.commit()
        flash(_("%(name)s is now %(role)s.", name=user.username, role=role), "success")
    return redirect(url_for("users.index"))


@bp.post("/<int:user_id>/active")
@requires("users.manage")
def set_active(user_id: int):
    session, user = db(), _user(user_id)
    active = request.form.get("active") == "1"
    if user.id == me().id and not active:
        flash(_("You cannot disable your own account."), "error")
        return redirect(url_for("users.index"))
    if user.active != active:
        user.active = active
        audit.record(session, actor(), "user.enabled" if active else "user.disabled", "user", user.username, {})
        session.commit()
        flash(_("User %(name)s enabled.", name=user.username) if active
              else _("User %(name)s disabled.", name=user.username), "success")
    return redirect(url_for("users.index"))
