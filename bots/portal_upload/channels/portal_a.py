"""Portal A's screens put together for the never-twice delivery (``web_portal.deliver_on_portal``):
sign in with password and TOTP code, search the list, fill the single upload form."""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pyotp
from playwright.sync_api import Page

from bots.kit import SignInRefused, UnexpectedScreen, WebLogin, open_and_sign_in
from bots.portal_upload.channels.web_portal import AlreadySubmitted, Listed, PortalRefused, Submitted
from bots.portal_upload.model import InvoiceJob
from bots.portal_upload.pages.portal_a import (
    ConfirmationPage,
    InvoiceEntry,
    InvoiceFormPage,
    InvoiceListPage,
    SignInPage,
    VerificationPage,
)
from bots.portal_upload.statuses import portal_status

DUPLICATE = "has already been submitted"
TOTP_STEP_S = 30


class PortalAFlow:
    channel = "portal_a"
    site_name = "Portal A (NorthBuy)"

    def __init__(self, page: Page, base_url: str, login: WebLogin, delays: Sequence[float] = (0.5, 2.0, 5.0),
                 clock: Callable[[], float] = time.time) -> None:
        if not login.totp_secret:
            raise SignInRefused(self.site_name, "the vault secret has no totp_secret for the second factor")
        self.login = login
        self.clock = clock
        self.sign_in_page = SignInPage(page, base_url, delays)
        self.verification_page = VerificationPage(page, base_url, delays)
        self.list_page = InvoiceListPage(page, base_url, delays)
        self.form_page = InvoiceFormPage(page, base_url, delays)
        self.confirmation_page = ConfirmationPage(page, base_url, delays)

    def sign_in(self) -> None:
        open_and_sign_in(self.sign_in_page, self.login, self.site_name)
        if not self.verification_page.is_shown():
            return
        totp = pyotp.TOTP(self.login.totp_secret or "")
        self.verification_page.enter_code(totp.at(self.clock()))
        if self.verification_page.error_message():
            # The code may have just rolled over; the next one is accepted within the drift window.
            self.verification_page.enter_code(totp.at(self.clock() + TOTP_STEP_S))
        refusal = self.verification_page.error_message() or self.sign_in_page.error_message()
        if refusal:
            raise SignInRefused(self.site_name, refusal)

    def find(self, invoice_number: str) -> Listed | None:
        self.list_page.open()
        self.list_page.search(invoice_number)
        wanted = invoice_number.strip().upper()
        while True:
            for row in self.list_page.rows():
                if row.invoice_number.strip().upper() == wanted:
                    return Listed(row.invoice_number, row.reference, portal_status(row.status, row.reason))
            if not self.list_page.has_next_page():
                return None
            self.list_page.go_to_next_page()

    def submit(self, job: InvoiceJob, facturx_pdf: Path) -> Submitted | AlreadySubmitted:
        self.form_page.open()
        self.form_page.submit_invoice(entry_for(job), facturx_pdf)
        if self.confirmation_page.is_shown():
            return Submitted(self.confirmation_page.submission_reference())
        errors = self.form_page.error_messages()
        duplicate = [e for e in errors if DUPLICATE in e]
        if duplicate:
            return AlreadySubmitted(duplicate[0])
        if errors:
            raise PortalRefused(self.site_name, job.invoice.number, errors)
        raise UnexpectedScreen(f"after sending the form the portal shows {self.form_page.page.url}, neither the "
                               "confirmation nor the form with its messages")

    def rejection(self, invoice_number: str) -> str | None:
        return None  # the buyer's rejection shows in the list's status

    def show(self, listed: Listed) -> None:
        self.list_page.open_invoice(listed.invoice_number)


def entry_for(job: InvoiceJob) -> InvoiceEntry:
    """The upload form as a clerk fills it from the invoice: the ERP's totals, the PO number."""
    invoice = job.invoice
    return InvoiceEntry(
        po_number=invoice.po_number or "", invoice_number=invoice.number,
        invoice_date=invoice.issue_date.isoformat(), amount_excl_tax=f"{invoice.total_net.amount:.2f}",
        vat=f"{invoice.total_vat.amount:.2f}", total=f"{invoice.total_gross.amount:.2f}", currency=invoice.currency)
