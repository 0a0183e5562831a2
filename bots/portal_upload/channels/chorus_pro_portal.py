"""Chorus Pro through its web portal, for suppliers whose API access is not set up: the screens put
together for the never-twice delivery.

"Mes factures émises" only lists invoices once their deposit is integrated (about a minute on
Chorus Pro), so looking for the invoice also reads "Suivi des flux": a deposit of the same file
(the bot names the file after the invoice number) that is received, in progress or integrated
counts as already there; only a rejected one does not.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from playwright.sync_api import Page

from bots.kit import UnexpectedScreen, WebLogin, open_and_sign_in
from bots.portal_upload.channels.web_portal import AlreadySubmitted, Listed, PortalRefused, Submitted
from bots.portal_upload.facturx_document import facturx_file_name
from bots.portal_upload.model import InvoiceJob
from bots.portal_upload.pages.chorus_pro import (
    FLOW_STATE_CODES,
    INVOICE_STATUS_CODES,
    ConnexionPage,
    DepositPage,
    FlowsPage,
    IssuedInvoicesPage,
)
from bots.portal_upload.routing import CHORUS_PRO
from bots.portal_upload.statuses import chorus_flow_status, chorus_invoice_status


class ChorusProPortalFlow:
    channel = CHORUS_PRO
    site_name = "Chorus Pro (portal)"

    def __init__(self, page: Page, base_url: str, login: WebLogin, delays: Sequence[float] = (0.5, 2.0, 5.0)) -> None:
        self.login = login
        self.connexion_page = ConnexionPage(page, base_url, delays)
        self.deposit_page = DepositPage(page, base_url, delays)
        self.issued_page = IssuedInvoicesPage(page, base_url, delays)
        self.flows_page = FlowsPage(page, base_url, delays)

    def sign_in(self) -> None:
        open_and_sign_in(self.connexion_page, self.login, self.site_name)

    def find(self, invoice_number: str) -> Listed | None:
        self.issued_page.open()
        self.issued_page.search(invoice_number)
        while True:
            for row in self.issued_page.rows():
                if row.invoice_number == invoice_number:
                    code = INVOICE_STATUS_CODES.get(row.status_label, row.status_label)
                    return Listed(row.invoice_number, row.invoice_id, chorus_invoice_status(code))
            if not self.issued_page.has_next_page():
                break
            self.issued_page.go_to_next_page()
        file_name = facturx_file_name(invoice_number)
        self.flows_page.open()
        for flow in self.flows_page.rows():
            state = FLOW_STATE_CODES.get(flow.state_label, flow.state_label)
            if flow.file_name == file_name and state != "IN_REJETE":
                return Listed(invoice_number, flow.flow_number, chorus_flow_status(state))
        return None

    def submit(self, job: InvoiceJob, facturx_pdf: Path) -> Submitted | AlreadySubmitted:
        self.deposit_page.open()
        self.deposit_page.deposit(facturx_pdf)
        flow_number = self.deposit_page.flow_number()
        if flow_number:
            return Submitted(flow_number)
        errors = self.deposit_page.error_messages()
        if errors:
            raise PortalRefused(self.site_name, job.invoice.number, errors)
        raise UnexpectedScreen(f"after «Déposer» the portal shows {self.deposit_page.page.url} without a flow number")

    def rejection(self, invoice_number: str) -> str | None:
        """The reasons "Suivi des flux" gives for rejecting the deposits of this invoice's file."""
        self.flows_page.open()
        file_name = facturx_file_name(invoice_number)
        rows = [f for f in self.flows_page.rows() if f.file_name == file_name]
        if rows and all(FLOW_STATE_CODES.get(f.state_label) == "IN_REJETE" for f in rows):
            return f"flow {rows[0].flow_number} rejected: {rows[0].reasons}"
        return None

    def show(self, listed: Listed) -> None:
        if listed.reference.isdigit():
            self.issued_page.open_invoice(listed.invoice_number)
