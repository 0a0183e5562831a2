"""The ERP's back office (accounts receivable) as a clerk uses it to send out new invoices: the log-in
page, the Exports page ("New invoices" issued on or after a date), an invoice's page (its PDF) and
a customer's record, read from its edit form — the one screen that shows the address field by
field and the codes of category, channel and language — and left without saving."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import Page

from bots.kit.screens import RELOAD_DELAYS, Screen


class ErpScreen(Screen):
    sign_in_paths = ("/login",)


class LoginPage(ErpScreen):
    needs_session = False

    def __init__(self, page: Page, base_url: str, reload_delays: Sequence[float] = RELOAD_DELAYS) -> None:
        super().__init__(page, base_url, reload_delays)
        self.user_name = page.get_by_label("User name", exact=True)
        self.password = page.get_by_label("Password", exact=True)
        self.log_in_button = page.get_by_role("button", name="Log in")
        self.alert = page.get_by_role("alert")

    def open(self) -> None:
        self._open("/login")

    def log_in(self, user_name: str, password: str) -> None:
        self.user_name.fill(user_name)
        self.password.fill(password)
        self._submit(self.log_in_button.click)

    def error_message(self) -> str | None:
        """Why the ERP refused the login, when it is still showing its log-in page."""
        if not self.on_sign_in_page() or self.alert.count() == 0:
            return None
        return " ".join(" ".join(self.alert.all_inner_texts()).split())


class ExportsPage(ErpScreen):
    def __init__(self, page: Page, base_url: str, reload_delays: Sequence[float] = RELOAD_DELAYS) -> None:
        super().__init__(page, base_url, reload_delays)
        self.issued_since = page.get_by_label("Issued on or after", exact=True)
        self.download_new_invoices_button = page.get_by_role("button", name="Download new invoices")

    def open(self) -> None:
        self._open("/exports")

    def download_new_invoices(self, since: date, folder: Path) -> Path:
        """The "New invoices" workbook of documents issued on or after ``since``."""
        self.issued_since.fill(since.isoformat())
        return self._download(self.download_new_invoices_button.click, folder)


class InvoicePage(ErpScreen):
    def __init__(self, page: Page, base_url: str, reload_delays: Sequence[float] = RELOAD_DELAYS) -> None:
        super().__init__(page, base_url, reload_delays)
        self.download_pdf_link = page.get_by_role("link", name="Download PDF")

    def open(self, number: str) -> None:
        self._open(f"/invoices/{quote(number, safe='')}")

    def download_pdf(self, folder: Path) -> Path:
        return self._download(self.download_pdf_link.click, folder)


@dataclass(frozen=True)
class CustomerRecord:
    """A customer's master data as its form shows it (codes for the lists, text for the rest)."""

    code: str
    legal_name: str
    category: str
    siren: str
    siret: str
    vat_number: str
    address_line1: str
    address_line2: str
    postcode: str
    city: str
    country: str
    invoice_channel: str
    portal_supplier_id: str
    chorus_service_code: str
    billing_email: str
    language: str


class CustomerFormPage(ErpScreen):
    def __init__(self, page: Page, base_url: str, reload_delays: Sequence[float] = RELOAD_DELAYS) -> None:
        super().__init__(page, base_url, reload_delays)
        self.fields = {
            "code": page.get_by_label("Customer code", exact=True),
            "legal_name": page.get_by_label("Legal name", exact=True),
            "category": page.get_by_label("Category", exact=True),
            "siren": page.get_by_label("SIREN", exact=True),
            "siret": page.get_by_label("SIRET", exact=True),
            "vat_number": page.get_by_label("VAT number", exact=True),
            "address_line1": page.get_by_label("Address", exact=True),
            "address_line2": page.get_by_label("Address (line 2)", exact=True),
            "postcode": page.get_by_label("Postcode", exact=True),
            "city": page.get_by_label("City", exact=True),
            "country": page.get_by_label("Country", exact=True),
            "invoice_channel": page.get_by_label("Invoice channel", exact=True),
            "portal_supplier_id": page.get_by_label("Portal supplier id", exact=True),
            "chorus_service_code": page.get_by_label("Chorus Pro service code", exact=True),
            "billing_email": page.get_by_label("Billing e-mail", exact=True),
            "language": page.get_by_label("Dunning language", exact=True),
        }

    def open(self, code: str) -> None:
        self._open(f"/customers/{quote(code, safe='')}/edit")

    def read_customer(self) -> CustomerRecord:
        """What the form shows, without changing or saving anything."""
        return CustomerRecord(**{name: box.input_value().strip() for name, box in self.fields.items()})
