"""``/cpro/structures/v1``: the directory a supplier reads before invoicing a public buyer —
find a structure by SIRET or name (``rechercher``), read whether it requires a service code or a
commitment number (``consulter``, ``parametres``), list its services (``rechercher/services``)."""
from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, Response
from sqlalchemy import select

from sandbox.app_db import db
from sandbox.chorus_pro.answers import json_body, ok, refused
from sandbox.chorus_pro.auth import require_api_credentials
from sandbox.chorus_pro.models import Structure

structures = Blueprint("structures", __name__, url_prefix="/cpro/structures/v1")
structures.before_request(require_api_credentials)

STRUCTURE_NOT_FOUND = "La structure demandee n'existe pas."


@structures.post("/rechercher")
def rechercher() -> Response | tuple[Response, int]:
    body = json_body()
    if body is None:
        return refused(20002, "Le corps de la requete doit etre un objet JSON.")
    criteria = body.get("structure") if isinstance(body.get("structure"), dict) else {}
    query = select(Structure).order_by(Structure.id)
    if criteria.get("identifiantStructure"):
        query = query.where(Structure.siret == str(criteria["identifiantStructure"]).replace(" ", ""))
    name = criteria.get("raisonSocialeStructure") or criteria.get("libelleStructure")
    if name:
        query = query.where(Structure.name.icontains(str(name)))
    if body.get("restreindreStructuresPrivees"):
        query = query.where(Structure.is_public.is_(True))
    found = list(db().scalars(query))
    page, size = _page(body.get("parametres"))
    shown = found[(page - 1) * size: page * size]
    return ok(
        listeStructures=[{"idStructureCPP": s.id, "identifiantStructure": s.siret, "typeIdentifiantStructure": "SIRET",
                          "designationStructure": s.name, "statut": "ACTIF"} for s in shown],
        parametresRetour={"pageCourante": page, "pages": max(1, math.ceil(len(found) / size)),
                          "nbResultatsParPage": size, "total": len(found)},
    )


@structures.post("/consulter")
def consulter() -> Response | tuple[Response, int]:
    structure = _structure((json_body() or {}).get("idStructureCPP"))
    if structure is None:
        return refused(20001, STRUCTURE_NOT_FOUND)
    return ok(
        informationGenerales={
            "idStructureCPP": structure.id, "identifiantStructure": structure.siret,
            "typeIdentifiantStructure": "SIRET", "raisonSocialeStructure": structure.name,
            "libelleStructure": structure.name,
            "structurePriveePublique": "PUBLIQUE" if structure.is_public else "PRIVEE",
            "emailStructure": None, "numeroTVA": None,
        },
        parametres={
            "codeServiceDoitEtreRenseigne": structure.service_code_required,
            "numeroEJDoitEtreRenseigne": structure.commitment_required,
            "gestionNumeroEJOuCodeService": False,
            "statutMiseEnPaiementNestPasRemonte": False,
            "connexionEDI": False, "recevoirDonneesViaEDI": False, "estMoaUniquement": False,
            "estValideurDelegue": False, "nonDiffusibleInsee": False,
        },
        adressePostaleDuSiege={"adresse": None, "codePostal": None, "ville": None, "pays": "FR"},
    )


@structures.post("/rechercher/services")
def rechercher_services() -> Response | tuple[Response, int]:
    body = json_body() or {}
    structure = _structure(body.get("idStructure"))
    if structure is None:
        return refused(20001, STRUCTURE_NOT_FOUND)
    page, size = _page(body.get("parametresRechercherServicesStructure"))
    services = structure.services
    shown = services[(page - 1) * size: page * size]
    return ok(
        listeServices=[{"idService": s.id, "codeService": s.code, "libelleService": s.name, "estActif": s.active,
                        "statutService": "ACTIF" if s.active else "INACTIF"} for s in shown],
        parametresRetour={"pageCourante": page, "pages": max(1, math.ceil(len(services) / size)),
                          "nbResultatsParPage": size, "total": len(services)},
    )


def _structure(value: Any) -> Structure | None:
    try:
        return db().get(Structure, int(value))
    except (TypeError, ValueError):
        return None


def _page(params: Any) -> tuple[int, int]:
    """Pagination the lenient way these read-only searches take it."""
    params = params if isinstance(params, dict) else {}
    try:
        page = max(1, int(params.get("pageResultatDemandee") or 1))
        size = min(1000, max(1, int(params.get("nbResultatsParPage") or 10)))
    except (TypeError, ValueError):
        return 1, 10
    return page, size
