"""Portal B (Arbor Supplier Network, Ariba-like): log-in, the four-step invoice wizard (purchase
order, lines, attachment, review and submit), the page shown after submitting, and the list."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page

from bots.kit import RELOAD_DELAYS, Screen, SignInScreen, alert_messages, table_rows


class PortalBScreen(Screen):
    sign_in_paths = ("/login",)

    def _alert_messages(self) -> list[str]:
        return alert_messages(self.page.get_by_role("alert").first)


class LoginPage(PortalBScreen, SignInScreen):
    path = "/login"
    login_label, password_label, button_name = "User name", "Password", "Log in"


class OrderStep(PortalBScreen):
    """Step 1: find the purchase order."""

    def __init__(self, page: Page, base_url: str, reload_delays: Sequence[float] = RELOAD_DELAYS) -> None:
        super().__init__(page, base_url, reload_delays)
        self.po_number = page.get_by_label("Purchase order number", exact=True)
        self.find_button = page.get_by_role("button", name="Find")

    def open(self) -> None:
        self._open("/invoice/create")

    def find_order(self, po_number: str) -> None:
        self.po_number.fill(po_number)
        self._submit(self.find_button.click)

    def error_messages(self) -> list[str]:
        return self._alert_messages() if self.page.url.split("?")[0].endswith("/invoice/create") else []


class LinesStep(PortalBScreen):
    """Step 2: invoice number, date, and the quantity invoiced on each order line."""

    def __init__(self, page: Page, base_url: str, reload_delays: Sequence[float] = RELOAD_DELAYS) -> None:
        super().__init__(page, base_url, reload_delays)
        self.invoice_number = page.get_by_label("Invoice #", exact=True)
        self.invoice_date = page.get_by_label("Invoice date", exact=True)
        self.next_button = page.get_by_role("button", name="Next")

    def is_shown(self) -> bool:
        return self.page.url.split("?")[0].endswith("/invoice/create/lines")

    def enter_lines(self, invoice_number: str, invoice_date: str, quantities: dict[int, str]) -> None:
        """Fill the step and go on; lines not in ``quantities`` are left at zero."""
        self.invoice_number.fill(invoice_number)
        self.invoice_date.fill(invoice_date)
        for line_no, quantity in quantities.items():
            self.page.get_by_label(f"Quantity to invoice for line {line_no}", exact=True).fill(quantity)
        self._submit(self.next_button.click)

    def error_messages(self) -> list[str]:
        return self._alert_messages() if self.is_shown() else []


class AttachmentStep(PortalBScreen):
    """Step 3: attach the invoice PDF."""

    def __init__(self, page: Page, base_url: str, reload_delays: Sequence[float] = RELOAD_DELAYS) -> None:
        super().__init__(page, base_url, reload_delays)
        self.pdf = page.get_by_label("Invoice PDF", exact=True)
        self.next_button = page.get_by_role("button", name="Next")

    def is_shown(self) -> bool:
        return self.page.url.split("?")[0].endswith("/invoice/create/attachment")

    def attach(self, pdf: Path) -> None:
        self.pdf.set_input_files(pdf)
        self._submit(self.next_button.click)

    def error_messages(self) -> list[str]:
        return self._alert_messages() if self.is_shown() else []


class ReviewStep(PortalBScreen):
    """Step 4: the invoice as the portal computed it from the order, and the Submit button."""

    def __init__(self, page: Page, base_url: str, reload_delays: Sequence[float] = RELOAD_DELAYS) -> None:
        super().__init__(page, base_url, reload_delays)
        self.lines_table = page.get_by_role("table", name="Invoice lines")
        self.total_row = self.lines_table.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name="Total", exact=True))
        self.submit_button = page.get_by_role("button", name="Submit")

    def is_shown(self) -> bool:
        return self.page.url.split("?")[0].endswith("/invoice/create/review")

    def shown_total(self) -> str:
        """The total as the portal prints it, e.g. "EUR 1,622.40"."""
        return " ".join(self.total_row.get_by_role("cell").inner_text().split())

    def submit_invoice(self) -> None:
        self._submit(self.submit_button.click)

    def error_messages(self) -> list[str]:
        return self._alert_messages() if self.is_shown() else []


class SubmittedPage(PortalBScreen):
    def __init__(self, page: Page, base_url: str, reload_delays: Sequence[float] = RELOAD_DELAYS) -> None:
        super().__init__(page, base_url, reload_delays)
        self.heading = page.get_by_role("heading", name="Your invoice has been submitted")
        self.document_number = page.locator("#document-number")  # no role or label on the value

    def is_shown(self) -> bool:
        return self.page.url.split("?")[0].endswith("/submitted")

    def reference(self) -> str:
        self.heading.wait_for()
        return self.document_number.inner_text().strip()


@dataclass(frozen=True)
class ListRow:
    document_number: str
    invoice_number: str
    status: str
    comments: str | None


class InvoiceListPage(PortalBScreen):
    def __init__(self, page: Page, base_url: str, reload_delays: Sequence[float] = RELOAD_DELAYS) -> None:
        super().__init__(page, base_url, reload_delays)
        self.filter_box = page.get_by_label("Invoice #", exact=True)
        self.filter_button = page.get_by_role("button", name="Filter")
        self.table = page.get_by_role("table")
        self.current_page = page.get_by_role("navigation", name="Pagination").locator("[aria-current=page]")

    def open(self) -> None:
        self._open("/invoices")

    def filter_by_invoice(self, invoice_number: str) -> None:
        self.filter_box.fill(invoice_number)
        self._submit(self.filter_button.click)

    def rows(self) -> list[ListRow]:
        return [ListRow(r["Document number"], r["Invoice #"], r["Status"], r["Comments"] or None)
                for r in table_rows(self.table)]

    def has_next_page(self) -> bool:
        return self._next_link() is not None

    def go_to_next_page(self) -> None:
        link = self._next_link()
        if link is None:
            raise ValueError("there is no next page")
        self._submit(link.click)

    def open_document(self, document_number: str) -> None:
        self._submit(self.page.get_by_role("link", name=document_number, exact=True).click)

    def _next_link(self):
        if self.current_page.count() == 0:
            return None
        current = int(re.sub(r"\D", "", self.current_page.inner_text()) or 0)
        link = self.page.get_by_role("link", name=f"Page {current + 1}", exact=True)
        return link if link.count() else None
