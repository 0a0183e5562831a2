"""The ERP's back office (accounts receivable) as a clerk uses it to send out new invoices: the log-in
page, the Exports page ("New invoices" issued on or after a date, with each customer's invoicing
details and the lines) and an invoice's page (its PDF)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import Page

from bots.kit import RELOAD_DELAYS, Screen, SignInScreen


class ErpScreen(Screen):
    sign_in_paths = ("/login",)


class LoginPage(ErpScreen, SignInScreen):
    path = "/login"
    login_label, password_label, button_name = "User name", "Password", "Log in"


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
