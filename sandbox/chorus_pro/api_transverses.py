"""``/cpro/transverses/v1``: the deposit reports. ``consulterCRDetaille`` gives the flow's state
(``etatCourantDepotFlux``) and, once processed, the payment requests' errors (``listeErreurDP``) and
the reasons a file could not be received (``listeErreurTechnique``); ``consulterCR`` gives the
state alone (``etatCourantFlux``)."""
from __future__ import annotations

from flask import Blueprint, Response, g
from sqlalchemy import select

from sandbox.app_db import db
from sandbox.chorus_pro import clock
from sandbox.chorus_pro.answers import json_body, ok, paris_datetime, refused
from sandbox.chorus_pro.auth import require_api_credentials
from sandbox.chorus_pro.models import Flow
from sandbox.chorus_pro.supplier_view import state_of
from sandbox.chorus_pro.timeline import FINAL_FLOW_STATES

transverses = Blueprint("transverses", __name__, url_prefix="/cpro/transverses/v1")
transverses.before_request(require_api_credentials)

CR_LIBELLE = "TRA_MSG_00.000"
INTERFACE_CODE = "FSO1110A"
FLOW_NOT_FOUND = "POQ_MSG_01.003 - Flux introuvable."


@transverses.post("/consulterCRDetaille")
def consulter_cr_detaille() -> Response | tuple[Response, int]:
    flow = _flow()
    if flow is None:
        return refused(20001, FLOW_NOT_FOUND)
    state = state_of(flow, clock.now(db()))
    final = state.code in FINAL_FLOW_STATES
    return ok(
        CR_LIBELLE,
        codeInterfaceDepotFlux=INTERFACE_CODE,
        dateDepotFlux=paris_datetime(flow.deposited_at),
        dateHeureEtatCourantFlux=paris_datetime(state.at),
        etatCourantDepotFlux=state.code,
        nomFichier=f"{INTERFACE_CODE}_CPP001_{flow.numero}",
        listeErreurDP=flow.errors_dp if final else [],
        listeErreurTechnique=flow.errors_technical if final else [],
    )


@transverses.post("/consulterCR")
def consulter_cr() -> Response | tuple[Response, int]:
    flow = _flow()
    if flow is None:
        return refused(20001, FLOW_NOT_FOUND)
    state = state_of(flow, clock.now(db()))
    return ok(
        CR_LIBELLE,
        numeroFluxDepot=flow.numero,
        codeInterfaceFlux=INTERFACE_CODE,
        dateDepotFlux=paris_datetime(flow.deposited_at),
        dateHeureEtatCourantFlux=paris_datetime(state.at),
        etatCourantFlux=state.code,
        nomFichierFlux=flow.file_name,
    )


def _flow() -> Flow | None:
    """The requested flow if it belongs to the technical account's supplier."""
    body = json_body() or {}
    numero = body.get("numeroFluxDepot")
    if not isinstance(numero, str) or not numero:
        return None
    return db().scalar(select(Flow).where(Flow.numero == numero,
                                          Flow.supplier_siret == g.technical_account.supplier_siret))
