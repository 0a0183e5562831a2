"""Chorus Pro sandbox through its HTTP API, as a bot would call it: PISTE token, technical account,
deposit of real Factur-X PDFs, the asynchronous integration report, the directory, invoice search
and status history over a controlled clock."""
from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import time
import zipfile

import pytest
import requests

from sandbox.chorus_pro import create_app
from tests.support.facturx_invoices import BUYER_NAME, BUYER_SIRET, cii_xml, facturx_pdf, invoice, plain_pdf
from tests.support.live_server import free_port
from tests.support.sandbox_web import (
    ADMIN,
    CHORUS_PRO_SEED,
    CHORUS_PRO_START,
    REJECTING_BUYER,
    SUSPENDING_BUYER,
    advance,
)


def cpro_account(login: str = "TECH_1_nettoyage@cpro.fr", password: str = "Tech-Pass-1") -> str:
    return base64.b64encode(f"{login}:{password}".encode()).decode()


@pytest.fixture
def app(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "chorus.sqlite"), "SECRET_KEY": "test", "ADMIN_TOKEN": "admin-secret",
                      "CLOCK": lambda: CHORUS_PRO_START, "TOKEN_LIFETIME_S": 600})
    assert app.test_client().post("/_admin/seed", json=CHORUS_PRO_SEED, headers=ADMIN).status_code == 200
    return app


@pytest.fixture
def client(app):
    return app.test_client()


class Api:
    """A PISTE-connected bot: a token it renews when it expires, one technical account."""

    def __init__(self, client, account: str | None = None) -> None:
        self.client = client
        self.headers = {"cpro-account": account or cpro_account()}
        self.renew_token()

    def renew_token(self) -> None:
        answer = self.client.post("/api/oauth/token", data={
            "grant_type": "client_credentials", "client_id": "piste-app", "client_secret": "piste-secret",
            "scope": "openid"})
        assert answer.status_code == 200, answer.json
        self.headers["Authorization"] = f"Bearer {answer.json['access_token']}"

    def post(self, path: str, body: dict, renew: bool = True):
        answer = self.client.post(f"/cpro/{path}", json=body, headers=self.headers)
        if renew and answer.status_code == 401 and (answer.json or {}).get("error") == "invalid_token":
            self.renew_token()
            answer = self.client.post(f"/cpro/{path}", json=body, headers=self.headers)
        return answer

    def deposit(self, content: bytes, name: str = "facture.pdf", syntax: str = "IN_DP_E2_CII_FACTURX") -> str:
        answer = self.post("factures/v1/deposer/flux", {
            "idUtilisateurCourant": 0, "fichierFlux": base64.b64encode(content).decode(), "nomFichier": name,
            "syntaxeFlux": syntax, "avecSignature": False})
        assert answer.status_code == 200, answer.json
        assert answer.json["codeRetour"] == 0
        return answer.json["numeroFluxDepot"]

    def report(self, numero: str) -> dict:
        answer = self.post("transverses/v1/consulterCRDetaille",
                           {"numeroFluxDepot": numero, "syntaxeFlux": "IN_DP_E2_CII_FACTURX"})
        assert answer.status_code == 200, answer.json
        return answer.json

    def search(self, **criteria) -> dict:
        answer = self.post("factures/v1/rechercher/fournisseur", criteria)
        assert answer.status_code == 200, answer.json
        return answer.json

    def history(self, invoice_id: int) -> dict:
        answer = self.post("factures/v1/consulter/historique", {"idFacture": invoice_id})
        assert answer.status_code == 200, answer.json
        return answer.json


def test_token_endpoint_issues_expiring_bearer_tokens_to_known_clients_only(client):
    good = {"grant_type": "client_credentials", "client_id": "piste-app", "client_secret": "piste-secret",
            "scope": "openid"}
    answer = client.post("/api/oauth/token", data=good)
    assert answer.status_code == 200
    assert answer.json["token_type"] == "Bearer" and answer.json["expires_in"] == 600
    assert len(answer.json["access_token"]) > 20

    wrong_secret = client.post("/api/oauth/token", data={**good, "client_secret": "nope"})
    assert (wrong_secret.status_code, wrong_secret.json["error"]) == (401, "invalid_client")
    wrong_grant = client.post("/api/oauth/token", data={**good, "grant_type": "password"})
    assert (wrong_grant.status_code, wrong_grant.json["error"]) == (400, "unsupported_grant_type")


def test_every_api_call_needs_a_valid_bearer_token(client):
    body = {"structure": {"identifiantStructure": BUYER_SIRET}}
    missing = client.post("/cpro/structures/v1/rechercher", json=body, headers={"cpro-account": cpro_account()})
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")

    unknown = client.post("/cpro/structures/v1/rechercher", json=body,
                          headers={"Authorization": "Bearer forged", "cpro-account": cpro_account()})
    assert (unknown.status_code, unknown.json["error"]) == (401, "invalid_token")

    api = Api(client)
    assert api.post("structures/v1/rechercher", body, renew=False).status_code == 200
    advance(client, 601)  # past the configured 600 s lifetime
    expired = api.post("structures/v1/rechercher", body, renew=False)
    assert expired.status_code == 401
    assert expired.json == {"error": "invalid_token", "error_description": "The access token expired"}
    api.renew_token()
    assert api.post("structures/v1/rechercher", body, renew=False).status_code == 200


@pytest.mark.parametrize("header", [None, cpro_account(password="wrong"), cpro_account(login="TECH_inconnu"),
                                    "pas du base64 !"])
def test_every_api_call_needs_the_technical_account(client, header):
    api = Api(client)
    api.headers.pop("cpro-account")
    if header is not None:
        api.headers["cpro-account"] = header
    answer = api.post("structures/v1/rechercher", {"structure": {"identifiantStructure": BUYER_SIRET}})
    assert answer.status_code == 401
    assert "cpro-account" in answer.json["libelle"] or "compte technique" in answer.json["libelle"]


def test_a_valid_facturx_deposit_is_integrated_then_made_available(client):
    api = Api(client)
    numero = api.deposit(facturx_pdf(invoice(number="F2026-0101")), name="F2026-0101.pdf")
    assert numero.startswith("CPP") and len(numero) == 25

    report = api.report(numero)
    assert report["codeRetour"] == 0 and report["etatCourantDepotFlux"] == "IN_RECU"
    assert api.search(numeroFluxDepot=numero)["listeFactures"] == []  # not integrated yet

    advance(client, 10)
    assert api.report(numero)["etatCourantDepotFlux"] == "IN_EN_COURS_TRAITEMENT_CPP"
    advance(client, 50)
    report = api.report(numero)
    assert report["etatCourantDepotFlux"] == "IN_INTEGRE"
    assert report["listeErreurDP"] == [] and report["listeErreurTechnique"] == []

    found = api.search(numeroFluxDepot=numero)["listeFactures"]
    assert len(found) == 1
    facture = found[0]
    assert (facture["numeroFacture"], facture["statut"]) == ("F2026-0101", "DEPOSEE")
    assert (facture["codeDestinataire"], facture["codeServiceExecutant"]) == (BUYER_SIRET, "SERV-FIN")
    assert (facture["montantHT"], facture["montantTTC"]) == (1352.0, 1622.4)
    assert facture["numeroBonCommande"] == "EJ-2026-0042"

    advance(client, 300)
    history = api.history(facture["identifiantFactureCPP"])
    assert history["statutCourantCode"] == "MISE_A_DISPOSITION"
    assert [s["histoStatutCode"] for s in history["historiquesDesStatuts"]["histoStatut"]] == [
        "MISE_A_DISPOSITION", "EN_COURS_ACHEMINEMENT", "DEPOSEE"]


def _rejected_report(client, api: Api, content: bytes, name: str = "facture.pdf") -> dict:
    numero = api.deposit(content, name=name)
    assert api.report(numero)["listeErreurDP"] == []  # errors only show once processed
    advance(client, 60)
    report = api.report(numero)
    assert report["etatCourantDepotFlux"] == "IN_REJETE"
    assert api.search(numeroFluxDepot=numero)["listeFactures"] == []
    return report


def test_a_broken_xml_or_a_plain_pdf_makes_the_flow_unreceivable(client):
    api = Api(client)
    broken = cii_xml(invoice()).replace(b"<ram:TypeCode>380</ram:TypeCode>", b"")
    report = _rejected_report(client, api, facturx_pdf(xml=broken))
    [error] = report["listeErreurTechnique"]
    assert error["codeErreur"] == "ERR_XSD_001"
    assert error["libelleErreur"].startswith("IRRECEVABILITE:") and "IssueDateTime" in error["libelleErreur"]

    report = _rejected_report(client, api, plain_pdf(invoice()))
    assert [e["codeErreur"] for e in report["listeErreurTechnique"]] == ["ERR_FORMAT_002"]
    assert "factur-x.xml" in report["listeErreurTechnique"][0]["libelleErreur"]


@pytest.mark.parametrize(("changes", "expected"), [
    ({"buyer_siret": "21750001600019"}, ["Destinataire non trouve ou inactif",
                                        "BuyerTradeParty.SpecifiedLegalOrganization.ID.value"]),
    ({"service_code": None}, ["Le service executant est obligatoire pour ce destinataire", "BuyerReference.value"]),
    ({"service_code": "ANCIEN"}, ["Le service executant ANCIEN", "n'existe pas ou n'est pas actif"]),
    ({"commitment": None}, ["L'engagement juridique", "BuyerOrderReferencedDocument.IssuerAssignedID.value",
                            "est obligatoire"]),
    ({"with_payment_means": False}, ["SpecifiedTradeSettlementPaymentMeans.TypeCode.value est obligatoire"]),
    ({"supplier_siret": "99999999900018"}, ["L'identifiant fournisseur de la demande de paiement",
                                           "n'est pas reference dans notre systeme"]),
])
def test_a_payment_request_breaking_the_buyers_rules_is_rejected_with_its_reason(client, changes, expected):
    spec = invoice(number="F2026-0200", **changes)
    report = _rejected_report(client, Api(client), facturx_pdf(spec))
    [error] = report["listeErreurDP"]
    assert error["numeroDP"] == "F2026-0200"
    assert error["identifiantFournisseur"] == spec.supplier_siret
    assert error["identifiantDestinataire"] == spec.buyer_siret
    for fragment in expected:
        assert fragment in error["libelleErreurDP"]


def test_several_faults_are_all_reported_in_one_entry(client):
    report = _rejected_report(client, Api(client), facturx_pdf(invoice(service_code=None, commitment=None)))
    reasons = report["listeErreurDP"][0]["libelleErreurDP"].split("|")
    assert len(reasons) == 2
    assert "service executant" in reasons[0] and "engagement juridique" in reasons[1]


def test_an_archive_with_a_bad_invoice_is_integrated_partially(client):
    api = Api(client)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("F2026-0301.pdf", facturx_pdf(invoice(number="F2026-0301")))
        bundle.writestr("F2026-0302.pdf", facturx_pdf(invoice(number="F2026-0302", commitment=None)))
    numero = api.deposit(archive.getvalue(), name="lot.zip")
    advance(client, 60)
    report = api.report(numero)
    assert report["etatCourantDepotFlux"] == "IN_INTEGRE_PARTIEL"
    assert [e["numeroDP"] for e in report["listeErreurDP"]] == ["F2026-0302"]
    assert [f["numeroFacture"] for f in api.search(numeroFluxDepot=numero)["listeFactures"]] == ["F2026-0301"]


def test_a_second_invoice_with_the_same_number_is_rejected_as_duplicate(client):
    api = Api(client)
    first = api.deposit(facturx_pdf(invoice(number="F2026-0400")))
    second = api.deposit(facturx_pdf(invoice(number="F2026-0400")))
    advance(client, 60)
    assert api.report(first)["etatCourantDepotFlux"] == "IN_INTEGRE"
    report = api.report(second)
    assert report["etatCourantDepotFlux"] == "IN_REJETE"
    assert "F2026-0400" in report["listeErreurDP"][0]["libelleErreurDP"]
    assert "existe deja pour ce fournisseur" in report["listeErreurDP"][0]["libelleErreurDP"]
    assert len(api.search(numeroFacture="F2026-0400")["listeFactures"]) == 1

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        for copy in ("a", "b"):
            bundle.writestr(f"F2026-0401-{copy}.pdf", facturx_pdf(invoice(number="F2026-0401")))
    numero = api.deposit(archive.getvalue(), name="lot.zip")
    advance(client, 60)
    report = api.report(numero)
    assert report["etatCourantDepotFlux"] == "IN_INTEGRE_PARTIEL"
    assert "existe deja" in report["listeErreurDP"][0]["libelleErreurDP"]


def test_search_and_history_follow_each_buyers_decision(client):
    api = Api(client)
    paid = invoice(number="F2026-0501")
    rejected = invoice(number="F2026-0502", buyer_siret=REJECTING_BUYER, service_code=None, commitment=None)
    suspended = invoice(number="F2026-0503", buyer_siret=SUSPENDING_BUYER, service_code=None, commitment=None)
    for spec in (paid, rejected, suspended):
        api.deposit(facturx_pdf(spec))
    advance(client, 60 + 3600)  # integrated, then the buyers decide

    statuses = {f["numeroFacture"]: f["statut"] for f in api.search()["listeFactures"]}
    assert statuses == {"F2026-0501": "SERVICE_FAIT", "F2026-0502": "REJETEE", "F2026-0503": "SUSPENDUE"}
    [rejected_found] = api.search(statutCourant=["REJETEE"])["listeFactures"]
    assert rejected_found["numeroFacture"] == "F2026-0502"
    assert "rejetée par le destinataire" in rejected_found["commentaireEtatCourant"]
    latest = api.history(rejected_found["identifiantFactureCPP"])["historiquesDesStatuts"]["histoStatut"][0]
    assert latest["histoStatutCode"] == "REJETEE" and latest["histoStatutCommentaire"]

    advance(client, 172800)
    [paid_found] = api.search(numeroFacture="F2026-0501")["listeFactures"]
    assert paid_found["statut"] == "MISE_EN_PAIEMENT"
    codes = [s["histoStatutCode"] for s in api.history(paid_found["identifiantFactureCPP"])
             ["historiquesDesStatuts"]["histoStatut"]]
    assert codes == ["MISE_EN_PAIEMENT", "MANDATEE", "SERVICE_FAIT", "MISE_A_DISPOSITION",
                     "EN_COURS_ACHEMINEMENT", "DEPOSEE"]

    page = api.search(rechercheFactureParFournisseur={"pageResultatDemandee": 2, "nbResultatsParPage": 2})
    assert page["parametresRetour"] == {"pageCourante": 2, "pages": 2, "nbResultatsParPage": 2, "total": 3}
    assert len(page["listeFactures"]) == 1
    assert api.search(periodeDateDepotDu="2026-11-26")["listeFactures"] == []
    assert len(api.search(periodeDateDepotDu="2026-11-25", periodeDateDepotAu="2026-11-25")["listeFactures"]) == 3


def test_a_supplier_sees_neither_the_flows_nor_the_invoices_of_another(client):
    numero = Api(client).deposit(facturx_pdf(invoice(number="F2026-0600")))
    advance(client, 60)
    other = Api(client, account=cpro_account("TECH_1_autre@cpro.fr", "Tech-Pass-2"))
    answer = other.post("transverses/v1/consulterCRDetaille", {"numeroFluxDepot": numero})
    assert (answer.status_code, answer.json["libelle"]) == (400, "POQ_MSG_01.003 - Flux introuvable.")
    assert other.search()["listeFactures"] == []
    invoice_id = Api(client).search()["listeFactures"][0]["identifiantFactureCPP"]
    assert other.post("factures/v1/consulter/historique", {"idFacture": invoice_id}).status_code == 400


@pytest.mark.parametrize(("body", "code"), [
    ({"fichierFlux": "pas du base64 !", "nomFichier": "f.pdf", "syntaxeFlux": "IN_DP_E2_CII_FACTURX"}, 20002),
    ({"fichierFlux": "JVBERi0=", "syntaxeFlux": "IN_DP_E2_CII_FACTURX"}, 20002),
    ({"fichierFlux": "JVBERi0=", "nomFichier": "f.pdf", "syntaxeFlux": "IN_DP_E9_INCONNU"}, 20003),
    ({"fichierFlux": "JVBERi0=", "nomFichier": "f.xml", "syntaxeFlux": "IN_DP_E2_CII_FACTURX"}, 20004),
    ({"fichierFlux": "JVBERi0=", "nomFichier": "f.pdf", "syntaxeFlux": "IN_DP_E2_CII_FACTURX",
      "avecSignature": "non"}, 20002),
])
def test_a_malformed_deposit_is_refused_without_a_flow_number(client, body, code):
    answer = Api(client).post("factures/v1/deposer/flux", body)
    assert answer.status_code == 400
    assert answer.json["codeRetour"] == code and "numeroFluxDepot" not in answer.json


def test_the_directory_tells_what_a_buyer_requires(client):
    api = Api(client)
    found = api.post("structures/v1/rechercher",
                     {"structure": {"identifiantStructure": BUYER_SIRET, "typeIdentifiantStructure": "SIRET"}}).json
    [structure] = found["listeStructures"]
    assert structure["designationStructure"] == BUYER_NAME
    detail = api.post("structures/v1/consulter",
                      {"idStructureCPP": structure["idStructureCPP"], "codeLangue": "fr"}).json
    assert detail["parametres"]["codeServiceDoitEtreRenseigne"] is True
    assert detail["parametres"]["numeroEJDoitEtreRenseigne"] is True
    services = api.post("structures/v1/rechercher/services", {"idStructure": structure["idStructureCPP"]}).json
    assert {(s["codeService"], s["estActif"]) for s in services["listeServices"]} == {("SERV-FIN", True),
                                                                                      ("ANCIEN", False)}
    by_name = api.post("structures/v1/rechercher", {"structure": {"raisonSocialeStructure": "hospitalier"},
                                                    "restreindreStructuresPrivees": True}).json
    assert [s["identifiantStructure"] for s in by_name["listeStructures"]] == [SUSPENDING_BUYER]


def test_admin_endpoints_need_the_admin_token_and_list_every_deposit(client):
    assert client.get("/_admin/flows").status_code == 403
    assert client.post("/_admin/advance", json={"seconds": 5}, headers={"X-Admin-Token": "x"}).status_code == 403
    numero = Api(client).deposit(facturx_pdf(invoice(number="F2026-0700", commitment=None)))
    flows = client.get("/_admin/flows", headers=ADMIN).json["flows"]
    assert [(f["numeroFluxDepot"], f["etatCourantDepotFlux"], f["etatFinal"]) for f in flows] == [
        (numero, "IN_RECU", "IN_REJETE")]
    assert client.post("/_admin/seed", json={"unknown": []}, headers=ADMIN).status_code == 400


def test_the_command_line_serves_a_seeded_sandbox(tmp_path):
    seed_file = tmp_path / "seed.json"
    seed_file.write_text(json.dumps(CHORUS_PRO_SEED))
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "sandbox.chorus_pro", "--port", str(port), "--db",
                               str(tmp_path / "cli.sqlite"), "--seed", str(seed_file)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/api/oauth/token"
        form = {"grant_type": "client_credentials", "client_id": "piste-app", "client_secret": "piste-secret"}
        deadline = time.monotonic() + 20
        while True:
            try:
                answer = requests.post(url, data=form, timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert answer.status_code == 200 and answer.json()["token_type"] == "Bearer"
    finally:
        server.terminate()
        server.wait(timeout=10)
