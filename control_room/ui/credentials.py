"""Credentials: secrets with their scope and last reads; create, rotate, delete. A value is write-only:
it goes into the vault and is never rendered, echoed back on an error, flashed or audited."""
from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from control_room.audit.models import AuditEvent
from control_room.context import db, services
from control_room.fleet.models import Process
from control_room.ui.access import actor, requires
from control_room.vault.models import Secret
from control_room.vault.store import SecretNotFound

bp = Blueprint("credentials", __name__, url_prefix="/credentials")
NAME = re.compile(r"^[A-Za-z0-9_.-]{1,120}$")
KEY = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
LAST_READS = 3


class ValuesError(ValueError):
    pass


def parse_values(raw: str) -> dict[str, str]:
    """`key=value`, one per line; the value may contain '=' and spaces. Error messages name keys only."""
    values: dict[str, str] = {}
    for number, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not KEY.match(key):
            raise ValuesError(_("Line %(number)s must read key=value (the key in letters, digits, _ . -).",
                                number=number))
        values[key] = value.rstrip("\r")
    if not values:
        raise ValuesError(_("Give at least one key=value line."))
    return values


def _page(error: str | None = None, form: dict | None = None, status: int = 200):
    session = db()
    secrets = session.scalars(select(Secret).order_by(Secret.name)).all()
    reads = {s.name: session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "secret", AuditEvent.object_id == s.name,
        AuditEvent.action.in_(("secret.read", "secret.read_refused"))).order_by(AuditEvent.id.desc())
        .limit(LAST_READS)).all() for s in secrets}
    return render_template("credentials/index.html", secrets=secrets, reads=reads, error=error, form=form or {},
                           processes=session.scalars(select(Process.name).order_by(Process.name)).all()), status


@bp.get("")
@requires("secrets.manage")
def index():
    return _page()


@bp.post("")
@requires("secrets.manage")
def create():
    name = request.form.get("name", "").strip()
    description = request.form.get("description", "").strip()
    scope = sorted(set(request.form.getlist("scope")))
    form = {"name": name, "description": description, "scope": scope}  # never the values
    session = db()
    if not NAME.match(name):
        return _page(_("The name may use letters, digits, _ . - (at most 120)."), form, 400)
    if session.scalar(select(Secret.id).where(Secret.name == name)) is not None:
        return _page(_("A secret named %(name)s already exists: rotate it instead.", name=name), form, 409)
    try:
        values = parse_values(request.form.get("values", ""))
    except ValuesError as exc:
        return _page(str(exc), form, 400)
    services().vault.set(session, name, values, actor(), processes=scope, description=description)
    session.commit()
    flash(_("Secret %(name)s created.", name=name), "success")
    return redirect(url_for("credentials.index"))


@bp.post("/<name>/rotate")
@requires("secrets.manage")
def rotate(name: str):
    session = db()
    if session.scalar(select(Secret.id).where(Secret.name == name)) is None:
        abort(404)
    try:
        values = parse_values(request.form.get("values", ""))
    except ValuesError as exc:
        return _page(str(exc), None, 400)
    version = services().vault.set(session, name, values, actor())
    session.commit()
    flash(_("Secret %(name)s rotated to version %(version)s.", name=name, version=version), "success")
    return redirect(url_for("credentials.index"))


@bp.post("/<name>/delete")
@requires("secrets.manage")
def delete(name: str):
    session = db()
    try:
        services().vault.delete(session, name, actor())
    except SecretNotFound:
        abort(404)
    session.commit()
    flash(_("Secret %(name)s deleted.", name=name), "success")
    return redirect(url_for("credentials.index"))
