"""``/_admin/``: seeding, moving the clock, and every deposit with its state and decided outcome (the
ground truth, errors included even before integration) — for tests and the demo set-up; bots never
call these. Every call needs ``X-Admin-Token``."""
from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, current_app, jsonify, request
from sqlalchemy import select

from sandbox.chorus_pro import clock
from sandbox.chorus_pro.answers import paris_datetime
from sandbox.chorus_pro.db import db
from sandbox.chorus_pro.models import Flow
from sandbox.chorus_pro.seeding import load_seed
from sandbox.chorus_pro.supplier_view import state_of, view_of

admin = Blueprint("admin", __name__, url_prefix="/_admin")


@admin.before_request
def _require_token() -> None:
    token = current_app.config.get("ADMIN_TOKEN", "")
    if not token or not hmac.compare_digest(token, request.headers.get("X-Admin-Token", "")):
        abort(403)


@admin.post("/seed")
def seed() -> Response | tuple[Response, int]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify(error="a JSON object is expected"), 400
    session = db()
    try:
        counts = load_seed(session, data)
    except ValueError as exc:
        session.rollback()
        return jsonify(error=str(exc)), 400
    session.commit()
    return jsonify(loaded=counts)


@admin.post("/advance")
def advance() -> Response | tuple[Response, int]:
    data = request.get_json(silent=True) or {}
    seconds = data.get("seconds")
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
        return jsonify(error="'seconds' must be a number >= 0"), 400
    session = db()
    clock.advance(session, float(seconds))
    session.commit()
    return jsonify(now=paris_datetime(clock.now(session)))


@admin.get("/flows")
def flows() -> Response:
    session = db()
    now = clock.now(session)
    answer = []
    for flow in session.scalars(select(Flow).order_by(Flow.id)):
        state = state_of(flow, now)
        invoices = []
        for invoice in flow.invoices:
            view = view_of(invoice, now)
            invoices.append({"identifiantFactureCPP": invoice.id, "numeroFacture": invoice.number,
                             "statut": view.status.code if view else None})
        answer.append({
            "numeroFluxDepot": flow.numero, "nomFichier": flow.file_name, "syntaxeFlux": flow.syntax,
            "mode": flow.mode, "deposePar": flow.deposited_by, "fournisseur": flow.supplier_siret,
            "dateDepotFlux": paris_datetime(flow.deposited_at), "etatCourantDepotFlux": state.code,
            "etatFinal": flow.outcome, "listeErreurDP": flow.errors_dp,
            "listeErreurTechnique": flow.errors_technical, "factures": invoices,
        })
    return jsonify(now=paris_datetime(now), flows=answer)
