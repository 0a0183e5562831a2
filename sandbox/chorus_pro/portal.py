"""The Chorus Pro portal as a supplier's clerk uses it when the API is not configured: log in,
"Déposer une facture" (upload a Factur-X PDF, get the flow number), "Mes factures émises" (search
by number and status), an invoice's status history, and "Suivi des flux" (flow states and the
reasons a flow was rejected)."""
from __future__ import annotations

import math
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.security import check_password_hash

from sandbox.app_db import db
from sandbox.app_site import safe_next
from sandbox.chorus_pro import clock
from sandbox.chorus_pro.deposit import DepositRefused, DepositRequest, check_request, deposit
from sandbox.chorus_pro.models import PortalUser
from sandbox.chorus_pro.portal_session import current_login, current_siret, log_in, log_out, login_required
from sandbox.chorus_pro.supplier_view import find_invoice, state_of, supplier_flows, supplier_invoices
from sandbox.chorus_pro.timeline import FINAL_FLOW_STATES, FLOW_STATE_LABELS, INVOICE_STATUS_LABELS

portal = Blueprint("portal", __name__)

PAGE_SIZE = 20
PORTAL_SYNTAXES = {"IN_DP_E2_CII_FACTURX": "Factur-X (PDF/A-3 avec XML CII EN 16931)"}


@portal.get("/")
def accueil() -> Response:
    return redirect(url_for("portal.factures_emises"))


@portal.route("/connexion", methods=["GET", "POST"])
def connexion() -> str | Response:
    error = None
    if request.method == "POST":
        login = request.form.get("identifiant", "").strip()
        user = db().scalar(select(PortalUser).where(PortalUser.login == login))
        if user is not None and check_password_hash(user.password_hash, request.form.get("mot_de_passe", "")):
            log_in(user.login, user.supplier_siret)
            return redirect(safe_next(request.args.get("suivant")) or url_for("portal.factures_emises"))
        error = "Identifiant ou mot de passe incorrect."
    return render_template("connexion.html", error=error), 401 if error else 200


@portal.post("/deconnexion")
def deconnexion() -> Response:
    log_out()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("portal.connexion"))


@portal.route("/factures/deposer", methods=["GET", "POST"])
@login_required
def deposer() -> str | Response | tuple[str, int]:
    errors: list[str] = []
    if request.method == "POST":
        syntax = request.form.get("syntaxe", "")
        upload = request.files.get("fichier")
        if syntax not in PORTAL_SYNTAXES:
            errors.append("Veuillez choisir le format de la facture.")
        if upload is None or not upload.filename:
            errors.append("Veuillez joindre le fichier de la facture.")
        if not errors:
            content = upload.read()
            try:
                check_request(upload.filename, content, syntax)
            except DepositRefused as exc:
                errors.append(exc.libelle)
        if not errors:
            session = db()
            flow = deposit(session, DepositRequest(
                supplier_siret=current_siret(), deposited_by=current_login(), mode="PORTAIL",
                file_name=upload.filename, content=content, syntax=syntax,
                with_signature=request.form.get("avec_signature") == "oui"), clock.now(session))
            session.commit()
            flash(flow.numero, "depot")
            return redirect(url_for("portal.deposer"))
    return render_template("deposer.html", errors=errors, syntaxes=PORTAL_SYNTAXES), 400 if errors else 200


@portal.get("/factures/emises")
@login_required
def factures_emises() -> str:
    session = db()
    number = request.args.get("numero", "").strip()
    statuses = set(request.args.getlist("statut")) & set(INVOICE_STATUS_LABELS)
    found = [view for view in supplier_invoices(session, current_siret(), clock.now(session))
             if (not number or number.lower() in view.invoice.number.lower())
             and (not statuses or view.status.code in statuses)]
    pages = max(1, math.ceil(len(found) / PAGE_SIZE))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    return render_template("factures_emises.html", views=found[(page - 1) * PAGE_SIZE: page * PAGE_SIZE],
                           total=len(found), page=page, pages=pages, number=number, statuses=statuses,
                           status_labels=INVOICE_STATUS_LABELS)


@portal.get("/factures/<int:invoice_id>")
@login_required
def facture(invoice_id: int) -> str:
    session = db()
    view = find_invoice(session, current_siret(), invoice_id, clock.now(session))
    if view is None:
        abort(404)
    return render_template("facture.html", view=view, status_labels=INVOICE_STATUS_LABELS)


@portal.get("/flux")
@login_required
def suivi_flux() -> str:
    session = db()
    now = clock.now(session)
    rows = [(flow, state_of(flow, now)) for flow in supplier_flows(session, current_siret())]
    return render_template("flux.html", rows=rows, final_states=FINAL_FLOW_STATES, state_labels=FLOW_STATE_LABELS)


@portal.app_template_filter("montant")
def montant(value, currency: str = "EUR") -> str:
    """``1 234,56 €`` as French screens show amounts."""
    if value is None:
        return ""
    text = f"{value:,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{text} €" if currency == "EUR" else f"{text} {currency}"


@portal.app_template_filter("jour")
def jour(value: date | None) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y")
