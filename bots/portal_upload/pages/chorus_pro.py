"""The Chorus Pro portal, in French as its users see it: "Connexion", "Déposer une facture",
"Mes factures émises", an invoice's page, and "Suivi des flux"."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page

from bots.kit import RELOAD_DELAYS, Screen, SignInScreen, alert_messages, table_rows

FACTURX_FORMAT = "IN_DP_E2_CII_FACTURX"
# The portal shows statuses by their French labels; the API by their codes.
INVOICE_STATUS_CODES = {
    "Déposée": "DEPOSEE", "En cours d'acheminement": "EN_COURS_ACHEMINEMENT",
    "Mise à disposition du destinataire": "MISE_A_DISPOSITION", "Suspendue": "SUSPENDUE", "Rejetée": "REJETEE",
    "Service fait": "SERVICE_FAIT", "Mandatée": "MANDATEE", "Mise en paiement": "MISE_EN_PAIEMENT",
}
FLOW_STATE_CODES = {"Reçu": "IN_RECU", "En cours de traitement": "IN_EN_COURS_TRAITEMENT_CPP",
                    "Intégré": "IN_INTEGRE", "Intégré partiellement": "IN_INTEGRE_PARTIEL", "Rejeté": "IN_REJETE"}


class ChorusProScreen(Screen):
    sign_in_paths = ("/connexion",)

    def _alert_messages(self) -> list[str]:
        return alert_messages(self.page.get_by_role("alert").first)


class ConnexionPage(ChorusProScreen, SignInScreen):
    path = "/connexion"
    login_label, password_label, button_name = "Identifiant (adresse e-mail)", "Mot de passe", "Se connecter"


class DepositPage(ChorusProScreen):
    """ "Déposer une facture": format, file, and the flow number once deposited."""

    def __init__(self, page: Page, base_url: str, reload_delays: Sequence[float] = RELOAD_DELAYS) -> None:
        super().__init__(page, base_url, reload_delays)
        self.format = page.get_by_label("Format de la facture", exact=True)
        self.file = page.get_by_label("Fichier de la facture", exact=True)
        self.deposit_button = page.get_by_role("button", name="Déposer")
        self.success = page.get_by_role("status").filter(has_text="importé correctement")

    def open(self) -> None:
        self._open("/factures/deposer")

    def deposit(self, pdf: Path) -> None:
        self.format.select_option(FACTURX_FORMAT)
        self.file.set_input_files(pdf)
        self._submit(self.deposit_button.click)

    def flow_number(self) -> str | None:
        """The number the portal gave the deposit ("… importé correctement sous le n° CPP…")."""
        if self.success.count() == 0:
            return None
        text = " ".join(self.success.first.inner_text().split())
        found = re.search(r"sous le n°\s*([A-Za-z0-9]+)", text)
        return found.group(1) if found else None

    def error_messages(self) -> list[str]:
        return self._alert_messages()


@dataclass(frozen=True)
class IssuedRow:
    invoice_number: str
    invoice_id: str  # Chorus Pro's identifier, from the link to the invoice's page
    status_label: str
    flow_number: str


class IssuedInvoicesPage(ChorusProScreen):
    """ "Mes factures émises": our integrated invoices, searchable by number."""

    def __init__(self, page: Page, base_url: str, reload_delays: Sequence[float] = RELOAD_DELAYS) -> None:
        super().__init__(page, base_url, reload_delays)
        self.number_box = page.get_by_label("Numéro de facture", exact=True)
        self.search_button = page.get_by_role("button", name="Rechercher")
        self.table = page.get_by_role("table")
        self.next_page_link = page.get_by_role("link", name="Page suivante")

    def open(self) -> None:
        self._open("/factures/emises")

    def search(self, invoice_number: str) -> None:
        self.number_box.fill(invoice_number)
        self._submit(self.search_button.click)

    def rows(self) -> list[IssuedRow]:
        out = []
        for row in table_rows(self.table):
            number = row["N° de facture"]
            href = self.table.get_by_role("link", name=number, exact=True).first.get_attribute("href") or ""
            out.append(IssuedRow(number, href.rstrip("/").rsplit("/", 1)[-1], row["Statut"], row["N° de flux"]))
        return out

    def has_next_page(self) -> bool:
        return self.next_page_link.count() > 0

    def go_to_next_page(self) -> None:
        self._submit(self.next_page_link.click)

    def open_invoice(self, invoice_number: str) -> None:
        self._submit(self.table.get_by_role("link", name=invoice_number, exact=True).first.click)


@dataclass(frozen=True)
class FlowRow:
    flow_number: str
    file_name: str
    state_label: str
    reasons: str


class FlowsPage(ChorusProScreen):
    """ "Suivi des flux": every deposit, its state, and why a rejected one was rejected."""

    def __init__(self, page: Page, base_url: str, reload_delays: Sequence[float] = RELOAD_DELAYS) -> None:
        super().__init__(page, base_url, reload_delays)
        self.table = page.get_by_role("table", name="Flux déposés")

    def open(self) -> None:
        self._open("/flux")

    def rows(self) -> list[FlowRow]:
        return [FlowRow(r["N° de flux"], r["Fichier"], r["État"], r["Motif"]) for r in table_rows(self.table)]
