"""Portal A (NorthBuy Supplier Portal, Coupa-like): sign-in, two-step verification, the invoice
list with its search, the single upload form and the confirmation."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page

from bots.kit import RELOAD_DELAYS, Screen, SignInScreen, table_rows


class PortalAScreen(Screen):
    sign_in_paths = ("/login",)


class SignInPage(PortalAScreen, SignInScreen):
    path = "/login"
    login_label, password_label, button_name = "Login", "Password", "Sign in"


class VerificationPage(PortalAScreen):
    """The second step of signing in: the code of the authenticator app."""

    needs_session = False

    def __init__(self, page: Page, base_url: str, reload_delays: Sequence[float] = RELOAD_DELAYS) -> None:
        super().__init__(page, base_url, reload_delays)
        self.code_box = page.get_by_label("Verification code", exact=True)
        self.verify_button = page.get_by_role("button", name="Verify")
        self.alert = page.get_by_role("alert")

    def is_shown(self) -> bool:
        return self.page.url.split("?")[0].endswith("/login/verify")

    def enter_code(self, code: str) -> None:
        self.code_box.fill(code)
        self._submit(self.verify_button.click)

    def error_message(self) -> str | None:
        if not self.is_shown() or self.alert.count() == 0:
            return None
        return " ".join(self.alert.first.inner_text().split())


@dataclass(frozen=True)
class ListRow:
    invoice_number: str
    reference: str
    status: str
    reason: str | None


class InvoiceListPage(PortalAScreen):
    def __init__(self, page: Page, base_url: str, reload_delays: Sequence[float] = RELOAD_DELAYS) -> None:
        super().__init__(page, base_url, reload_delays)
        self.search_box = page.get_by_label("Search by invoice number")
        self.search_button = page.get_by_role("button", name="Search")
        self.table = page.get_by_role("table")
        self.next_page_link = page.get_by_role("link", name="Next page")

    def open(self) -> None:
        self._open("/invoices")

    def search(self, invoice_number: str) -> None:
        self.search_box.fill(invoice_number)
        self._submit(self.search_button.click)

    def rows(self) -> list[ListRow]:
        """The invoices on this page of the list. The status cell shows the status, then the
        buyer's reason when there is one."""
        out = []
        for row in table_rows(self.table):
            status, _, reason = row["Status"].partition(" ")
            out.append(ListRow(row["Invoice number"], row["Reference"], status, reason or None))
        return out

    def has_next_page(self) -> bool:
        return self.next_page_link.count() > 0

    def go_to_next_page(self) -> None:
        self._submit(self.next_page_link.click)

    def open_invoice(self, invoice_number: str) -> None:
        self._submit(self.page.get_by_role("link", name=invoice_number, exact=True).click)


@dataclass(frozen=True)
class InvoiceEntry:
    """What the upload form asks for, as text typed into it."""

    po_number: str
    invoice_number: str
    invoice_date: str  # YYYY-MM-DD
    amount_excl_tax: str
    vat: str
    total: str
    currency: str


class InvoiceFormPage(PortalAScreen):
    def __init__(self, page: Page, base_url: str, reload_delays: Sequence[float] = RELOAD_DELAYS) -> None:
        super().__init__(page, base_url, reload_delays)
        self.po_number = page.get_by_label("PO number", exact=True)
        self.invoice_number = page.get_by_label("Invoice number", exact=True)
        self.invoice_date = page.get_by_label("Invoice date", exact=True)
        self.amount_excl_tax = page.get_by_label("Amount excl. tax", exact=True)
        self.vat = page.get_by_label("VAT", exact=True)
        self.total = page.get_by_label("Total", exact=True)
        self.currency = page.get_by_label("Currency", exact=True)
        self.pdf = page.get_by_label("Invoice PDF", exact=True)
        self.submit_button = page.get_by_role("button", name="Submit invoice")
        self.alert = page.get_by_role("alert")

    def open(self) -> None:
        self._open("/invoices/new")

    def submit_invoice(self, entry: InvoiceEntry, pdf: Path) -> None:
        self.po_number.fill(entry.po_number)
        self.invoice_number.fill(entry.invoice_number)
        self.invoice_date.fill(entry.invoice_date)
        self.amount_excl_tax.fill(entry.amount_excl_tax)
        self.vat.fill(entry.vat)
        self.total.fill(entry.total)
        self.currency.select_option(entry.currency)
        self.pdf.set_input_files(pdf)
        self._submit(self.submit_button.click)

    def is_shown(self) -> bool:
        return self.page.url.split("?")[0].endswith("/invoices/new")

    def error_messages(self) -> list[str]:
        """The reasons the portal gave for not taking the invoice (empty when none)."""
        if not self.is_shown() or self.alert.count() == 0:
            return []
        return [" ".join(t.split()) for t in self.alert.first.get_by_role("listitem").all_inner_texts()]


class ConfirmationPage(PortalAScreen):
    def __init__(self, page: Page, base_url: str, reload_delays: Sequence[float] = RELOAD_DELAYS) -> None:
        super().__init__(page, base_url, reload_delays)
        self.heading = page.get_by_role("heading", name="Invoice submitted")
        self.reference = page.locator("#submission-reference")  # no role or label on the value

    def is_shown(self) -> bool:
        return self.page.url.split("?")[0].endswith("/confirmation")

    def submission_reference(self) -> str:
        self.heading.wait_for()
        return self.reference.inner_text().strip()
