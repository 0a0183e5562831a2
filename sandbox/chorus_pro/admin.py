"""``/_admin/``: seeding, moving the clock, and every deposit with its state and decided outcome (the
ground truth, errors included even before integration) — for tests and the demo set-up; bots never
call these. Every call needs ``X-Admin-Token``."""
from __future__ import annotations

from flask import Response, jsonify
from sqlalchemy import select

from sandbox.admin_api import add_seed_route, admin_blueprint, posted_seconds
from sandbox.app_db import db
from sandbox.chorus_pro import clock
from sandbox.chorus_pro.answers import paris_datetime
from sandbox.chorus_pro.models import Flow
from sandbox.chorus_pro.seeding import load_seed
from sandbox.chorus_pro.supplier_view import state_of, view_of

admin = admin_blueprint(__name__)
add_seed_route(admin, load_seed, refused=(ValueError,))


@admin.post("/advance")
def advance() -> Response:
    seconds = posted_seconds()
    session = db()
    clock.advance(session, seconds)
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
