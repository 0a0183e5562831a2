"""The Chorus Pro portal as a person uses it: log in, deposit a Factur-X PDF, read the flow number,
follow the flow and the invoice. One Chromium test for the main path, test-client tests for the
rest."""
from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Page, expect

from sandbox.chorus_pro import create_app
from tests.support.facturx_invoices import BUYER_NAME, facturx_pdf, invoice
from tests.support.sandbox_web import ADMIN, CHORUS_PRO_SEED, CHORUS_PRO_START, advance

LOGIN, PASSWORD = "compta@nettoyage-centre.fr", "Portail-Pass-1"


def make_app(tmp_path, **config):
    app = create_app({"DATABASE": str(tmp_path / "portal.sqlite"), "SECRET_KEY": "test", "ADMIN_TOKEN": "admin-secret",
                      "CLOCK": lambda: CHORUS_PRO_START, **config})
    assert app.test_client().post("/_admin/seed", json=CHORUS_PRO_SEED, headers=ADMIN).status_code == 200
    return app


@pytest.mark.browser
def test_a_person_deposits_a_facturx_invoice_and_follows_it(tmp_path, live_server, page: Page):
    app = make_app(tmp_path)
    server = live_server(app)
    page.goto(server.url)
    expect(page.get_by_role("heading", name="Connexion à votre espace")).to_be_visible()
    page.get_by_label("Identifiant (adresse e-mail)").fill(LOGIN)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    menu = page.get_by_role("navigation", name="Menu principal")
    menu.get_by_role("link", name="Déposer une facture").click()
    page.get_by_label("Format de la facture").select_option(label="Factur-X (PDF/A-3 avec XML CII EN 16931)")
    page.get_by_label("Fichier de la facture").set_input_files(
        {"name": "F2026-0900.pdf", "mimeType": "application/pdf", "buffer": facturx_pdf(invoice(number="F2026-0900"))})
    page.get_by_role("button", name="Déposer").click()

    confirmation = page.get_by_role("status").filter(has_text="Le lot de factures a été importé correctement")
    expect(confirmation).to_be_visible()
    numero = re.search(r"n° (CPP\d{22})", confirmation.inner_text()).group(1)
    flows = app.test_client().get("/_admin/flows", headers=ADMIN).json["flows"]
    assert [(f["numeroFluxDepot"], f["mode"], f["nomFichier"]) for f in flows] == [
        (numero, "PORTAIL", "F2026-0900.pdf")]

    advance(app.test_client(), 60 + 300)  # integrated, then made available to the buyer
    menu.get_by_role("link", name="Suivi des flux").click()
    expect(page.get_by_role("row", name=re.compile(numero))).to_contain_text("Intégré")

    menu.get_by_role("link", name="Mes factures émises").click()
    page.get_by_label("Numéro de facture").fill("F2026-0900")
    page.get_by_label("Mise à disposition du destinataire").check()
    page.get_by_role("button", name="Rechercher").click()
    row = page.get_by_role("row", name=re.compile("F2026-0900"))
    expect(row).to_contain_text(BUYER_NAME)
    expect(row).to_contain_text("1\u202f622,40 €")
    expect(row).to_contain_text("Mise à disposition du destinataire")
    row.get_by_role("link", name="F2026-0900").click()
    expect(page.get_by_role("heading", name="Facture F2026-0900")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Déposée"))).to_be_visible()


def login(client, password: str = PASSWORD):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/connexion").text).group(1)
    return client.post("/connexion", data={"identifiant": LOGIN, "mot_de_passe": password, "csrf_token": token})


def test_a_wrong_password_is_refused_with_a_message(tmp_path):
    client = make_app(tmp_path).test_client()
    answer = login(client, password="mauvais")
    assert answer.status_code == 401
    assert "Identifiant ou mot de passe incorrect." in answer.text
    assert client.get("/factures/emises").status_code == 302


def test_forms_without_the_csrf_token_are_refused(tmp_path):
    client = make_app(tmp_path).test_client()
    answer = client.post("/connexion", data={"identifiant": LOGIN, "mot_de_passe": PASSWORD})
    assert answer.status_code == 400


def test_an_idle_session_is_logged_out(tmp_path):
    client = make_app(tmp_path, PORTAL_IDLE_S=0).test_client()
    assert login(client).status_code == 302
    answer = client.get("/factures/emises", follow_redirects=True)
    assert "Votre session a expiré. Veuillez vous reconnecter." in answer.text
    assert "Connexion à votre espace" in answer.text


def test_a_rejected_portal_deposit_shows_its_reason_in_the_flow_list(tmp_path):
    app = make_app(tmp_path)
    client = app.test_client()
    login(client)
    page = client.get("/factures/deposer").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    pdf = facturx_pdf(invoice(number="F2026-0901", service_code=None))
    answer = client.post("/factures/deposer", data={"csrf_token": token, "syntaxe": "IN_DP_E2_CII_FACTURX",
                                                    "fichier": (io.BytesIO(pdf), "F2026-0901.pdf")},
                         follow_redirects=True)
    assert "importé correctement" in answer.text
    assert "Rejeté" not in client.get("/flux").text
    advance(client, 60)
    flows = client.get("/flux").text
    assert "Rejeté" in flows
    assert "Facture F2026-0901 rejetée" in flows and "Le service executant est obligatoire" in flows
    assert "F2026-0901" not in client.get("/factures/emises").text


def test_faults_can_rename_and_move_the_deposit_button(tmp_path):
    client = make_app(tmp_path).test_client()
    login(client)
    before = client.get("/factures/deposer").text
    assert before.index('id="syntaxe"') < before.index(">Déposer</button>")
    assert client.put("/_admin/faults", json={"labels": {"deposer.bouton": "Transmettre"}, "layout_variant": 1},
                      headers=ADMIN).status_code == 200
    after = client.get("/factures/deposer").text
    assert ">Déposer</button>" not in after
    assert after.index(">Transmettre</button>") < after.index('id="syntaxe"')
