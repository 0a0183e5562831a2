"""The ERP's screens put together for the collect step, as a clerk would go about it: log in,
download the "New invoices" export (which carries each customer's invoicing details) and each
invoice's PDF.

Nothing here changes anything in the ERP, so every step may simply be done again: after a server
error (tried again with pauses) or after the ERP logged the bot out (it logs in again first).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TypeVar

from playwright.sync_api import Page

from bots.kit import WebLogin, open_and_sign_in, signed_in_step, site_problems
from bots.portal_upload.pages.erp import ExportsPage, InvoicePage, LoginPage

T = TypeVar("T")


class ErpFlow:
    site_name = "The ERP"

    def __init__(self, page: Page, base_url: str, login: WebLogin, delays: Sequence[float] = (0.5, 2.0, 5.0)) -> None:
        self.login = login
        self.delays = tuple(delays)
        self.login_page = LoginPage(page, base_url, delays)
        self.exports_page = ExportsPage(page, base_url, delays)
        self.invoice_page = InvoicePage(page, base_url, delays)

    def sign_in(self) -> None:
        open_and_sign_in(self.login_page, self.login, self.site_name)

    def new_invoices_export(self, since: date, folder: Path) -> Path:
        """The workbook of invoices and credit notes issued on or after ``since``."""
        def download() -> Path:
            self.exports_page.open()
            return self.exports_page.download_new_invoices(since, folder)
        return self._step(download)

    def invoice_pdf(self, number: str, folder: Path) -> Path:
        def download() -> Path:
            self.invoice_page.open(number)
            return self.invoice_page.download_pdf(folder)
        return self._step(download)

    def _step(self, action: Callable[[], T]) -> T:
        with site_problems(self.site_name):
            return signed_in_step(self, action, self.delays)
