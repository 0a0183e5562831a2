"""``/cpro/factures/v1``: deposit a flow, search the supplier's invoices, read an invoice's history."""
from __future__ import annotations

import base64
import math
from datetime import date
from typing import Any

from flask import Blueprint, Response, g

from sandbox.app_db import db
from sandbox.chorus_pro import clock
from sandbox.chorus_pro.answers import iso_date, json_body, ok, paris_date, paris_datetime, refused
from sandbox.chorus_pro.auth import require_api_credentials
from sandbox.chorus_pro.deposit import DepositRefused, DepositRequest, check_request, deposit
from sandbox.chorus_pro.supplier_view import InvoiceView, find_invoice, supplier_invoices

factures = Blueprint("factures", __name__, url_prefix="/cpro/factures/v1")
factures.before_request(require_api_credentials)

MODE_DEPOT = {"API": "FLUX", "PORTAIL": "PORTAIL"}
DEFAULT_PAGE_SIZE = 10


@factures.post("/deposer/flux")
def deposer_flux() -> Response | tuple[Response, int]:
    body = json_body()
    if body is None:
        return refused(20002, "Le corps de la requete doit etre un objet JSON.")
    content = _base64(body.get("fichierFlux"))
    if content is None:
        return refused(20002, "Le parametre fichierFlux est obligatoire : contenu du fichier encode en base 64.")
    file_name = body.get("nomFichier")
    if not isinstance(file_name, str) or not file_name.strip():
        return refused(20002, "Le parametre nomFichier est obligatoire.")
    syntax = body.get("syntaxeFlux")
    if not isinstance(syntax, str) or not syntax:
        return refused(20003, "Le parametre syntaxeFlux est obligatoire.")
    with_signature = body.get("avecSignature", False)
    if not isinstance(with_signature, bool):
        return refused(20002, "Le parametre avecSignature doit valoir true ou false.")
    try:
        check_request(file_name, content, syntax)
    except DepositRefused as exc:
        return refused(exc.code, exc.libelle)
    session = db()
    account = g.technical_account
    flow = deposit(session, DepositRequest(
        supplier_siret=account.supplier_siret, deposited_by=account.login, mode="API", file_name=file_name.strip(),
        content=content, syntax=syntax, with_signature=with_signature), clock.now(session))
    session.commit()
    return ok(numeroFluxDepot=flow.numero, dateDepot=paris_date(flow.deposited_at), syntaxeFlux=flow.syntax)


@factures.post("/rechercher/fournisseur")
def rechercher_fournisseur() -> Response | tuple[Response, int]:
    body = json_body()
    if body is None:
        return refused(20002, "Le corps de la requete doit etre un objet JSON.")
    try:
        wanted = _criteria(body)
        page, size = _page(body.get("rechercheFactureParFournisseur"))
    except ValueError as exc:
        return refused(20002, str(exc))
    session = db()
    found = [view for view in supplier_invoices(session, g.technical_account.supplier_siret, clock.now(session))
             if _matches(view, wanted)]
    pages = max(1, math.ceil(len(found) / size))
    shown = found[(page - 1) * size: page * size]
    return ok(listeFactures=[_summary(view) for view in shown],
              parametresRetour={"pageCourante": page, "pages": pages, "nbResultatsParPage": size,
                                "total": len(found)})


@factures.post("/consulter/historique")
def consulter_historique() -> Response | tuple[Response, int]:
    body = json_body()
    invoice_id = None if body is None else body.get("idFacture")
    if isinstance(invoice_id, str) and invoice_id.isdigit():
        invoice_id = int(invoice_id)
    if not isinstance(invoice_id, int) or isinstance(invoice_id, bool):
        return refused(20002, "Le parametre idFacture est obligatoire (identifiant numerique de la facture).")
    session = db()
    view = find_invoice(session, g.technical_account.supplier_siret, invoice_id, clock.now(session))
    if view is None:
        return refused(20001, "La facture demandee n'existe pas ou n'est pas accessible a l'utilisateur.")
    steps = list(reversed(view.history))
    return ok(
        idFacture=view.invoice.id, numeroFacture=view.invoice.number,
        modeDepot=MODE_DEPOT[view.invoice.flow.mode], statutCourantCode=view.status.code,
        historiquesDesStatuts={
            "histoStatut": [
                {"histoStatutId": view.invoice.id * 100 + len(steps) - i, "histoStatutCode": step.code,
                 "histoStatutDatePassage": paris_datetime(step.at), "histoStatutCommentaire": step.comment or None,
                 "histoStatutUtilisateurNom": None, "histoStatutUtilisateurPrenom": None,
                 "histoStatutUtilisateurEmail": None, "histoStatutUtilisateurTelephone": None}
                for i, step in enumerate(steps)],
            "nbResultatsParPageHistoStatut": len(steps), "pageCouranteHistoStatut": 1, "pagesHistoStatut": 1,
            "totalHistoStatut": len(steps)},
        historiquesDesActionsUtilisateurs={"histoAction": [], "nbResultatsParPageHistoAction": 0,
                                           "pageCouranteHistoAction": 1, "pagesHistoAction": 1,
                                           "totalHistoAction": 0},
        historiquesDesEvenementsComplementaires={"evenement": [], "nbResultatsParPageEvenement": 0,
                                                 "pageCouranteEvenement": 1, "pagesEvenement": 1,
                                                 "totalEvenement": 0},
    )


def _base64(value: Any) -> bytes | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:  # binascii.Error included
        return None


def _criteria(body: dict[str, Any]) -> dict[str, Any]:
    """The search criteria the sandbox honours; unknown ones are ignored, as optional ones are."""
    statuses = body.get("statutCourant") or []
    if isinstance(statuses, str):
        statuses = [statuses]
    return {
        "numeroFacture": body.get("numeroFacture") or None,
        "numeroFluxDepot": body.get("numeroFluxDepot") or None,
        "typeFacture": body.get("typeFacture") or None,
        "statutCourant": set(statuses),
        "du": _day(body.get("periodeDateDepotDu"), "periodeDateDepotDu"),
        "au": _day(body.get("periodeDateDepotAu"), "periodeDateDepotAu"),
    }


def _day(value: Any, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise ValueError(f"Le parametre {name} doit etre une date au format AAAA-MM-JJ.") from exc


def _page(params: Any) -> tuple[int, int]:
    params = params if isinstance(params, dict) else {}
    try:
        page = int(params.get("pageResultatDemandee") or 1)
        size = int(params.get("nbResultatsParPage") or DEFAULT_PAGE_SIZE)
    except (TypeError, ValueError) as exc:
        raise ValueError("Les parametres de pagination doivent etre des entiers.") from exc
    if page < 1 or not 1 <= size <= 1000:
        raise ValueError("Pagination invalide : pageResultatDemandee >= 1 et nbResultatsParPage entre 1 et 1000.")
    return page, size


def _matches(view: InvoiceView, wanted: dict[str, Any]) -> bool:
    invoice = view.invoice
    return ((wanted["numeroFacture"] is None or invoice.number == wanted["numeroFacture"])
            and (wanted["numeroFluxDepot"] is None or invoice.flow.numero == wanted["numeroFluxDepot"])
            and (wanted["typeFacture"] is None or invoice.kind == wanted["typeFacture"])
            and (not wanted["statutCourant"] or view.status.code in wanted["statutCourant"])
            and (wanted["du"] is None or view.deposit_date >= wanted["du"])
            and (wanted["au"] is None or view.deposit_date <= wanted["au"]))


def _summary(view: InvoiceView) -> dict[str, Any]:
    invoice, buyer = view.invoice, view.invoice.buyer
    service = next((s for s in buyer.services if s.code == invoice.service_code), None)
    return {
        "identifiantFactureCPP": invoice.id,
        "numeroFacture": invoice.number,
        "typeFacture": invoice.kind,
        "typeDemandePaiement": "FACTURE",
        "statut": view.status.code,
        "commentaireEtatCourant": view.status.comment or None,
        "dateHeureEtatCourant": paris_datetime(view.status.at),
        "dateDepot": view.deposit_date.isoformat(),
        "dateFacture": iso_date(invoice.invoice_date),
        "idDestinataire": buyer.id,
        "codeDestinataire": buyer.siret,
        "designationDestinataire": buyer.name,
        "idServiceExecutant": service.id if service else None,
        "codeServiceExecutant": invoice.service_code,
        "nomServiceExecutant": service.name if service else None,
        "codeFournisseur": invoice.supplier_siret,
        "typeIdentifiantFournisseur": "SIRET",
        "designationFournisseur": invoice.supplier_name,
        "devise": invoice.currency,
        "montantHT": invoice.total_ht,
        "montantTTC": invoice.total_ttc,
        "montantAPayer": invoice.amount_due,
        "numeroBonCommande": invoice.commitment,
        "numeroFluxDepot": invoice.flow.numero,
        "modeDepot": MODE_DEPOT[invoice.flow.mode],
        "rejetTraite": False,
    }
