"""Portal B's screens put together for the never-twice delivery: log in, search the list, and the
wizard — purchase order, quantities per order line, attachment, then review, where the bot checks
that the portal's total (computed from the order) is the invoice's before submitting."""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from playwright.sync_api import Page

from bots.kit import UnexpectedScreen, WebLogin, open_and_sign_in
from bots.portal_upload.channels.web_portal import AlreadySubmitted, Listed, PortalRefused, Submitted
from bots.portal_upload.model import InvoiceJob
from bots.portal_upload.pages.portal_b import (
    AttachmentStep,
    InvoiceListPage,
    LinesStep,
    LoginPage,
    OrderStep,
    ReviewStep,
    SubmittedPage,
)
from bots.portal_upload.statuses import portal_status

DUPLICATE = "has already been submitted"


class PortalBFlow:
    channel = "portal_b"
    site_name = "Portal B (Arbor Supplier Network)"

    def __init__(self, page: Page, base_url: str, login: WebLogin, delays: Sequence[float] = (0.5, 2.0, 5.0)) -> None:
        self.login = login
        self.login_page = LoginPage(page, base_url, delays)
        self.order_step = OrderStep(page, base_url, delays)
        self.lines_step = LinesStep(page, base_url, delays)
        self.attachment_step = AttachmentStep(page, base_url, delays)
        self.review_step = ReviewStep(page, base_url, delays)
        self.submitted_page = SubmittedPage(page, base_url, delays)
        self.list_page = InvoiceListPage(page, base_url, delays)

    def sign_in(self) -> None:
        open_and_sign_in(self.login_page, self.login, self.site_name)

    def find(self, invoice_number: str) -> Listed | None:
        self.list_page.open()
        self.list_page.filter_by_invoice(invoice_number)
        wanted = invoice_number.strip().upper()
        while True:
            for row in self.list_page.rows():
                if row.invoice_number.strip().upper() == wanted:
                    return Listed(row.invoice_number, row.document_number, portal_status(row.status, row.comments))
            if not self.list_page.has_next_page():
                return None
            self.list_page.go_to_next_page()

    def submit(self, job: InvoiceJob, facturx_pdf: Path) -> Submitted | AlreadySubmitted:
        invoice = job.invoice
        self.order_step.open()
        self.order_step.find_order(invoice.po_number or "")
        self._refused_if(self.order_step.error_messages(), invoice.number)
        self.lines_step.enter_lines(invoice.number, invoice.issue_date.isoformat(), quantities_for(job))
        self._refused_if(self.lines_step.error_messages(), invoice.number)
        self.attachment_step.attach(facturx_pdf)
        self._refused_if(self.attachment_step.error_messages(), invoice.number)
        self._refused_if(self.review_step.error_messages(), invoice.number)
        shown = parse_amount(self.review_step.shown_total())
        if shown != invoice.total_gross.amount:
            raise PortalRefused(self.site_name, invoice.number, [
                f"from the purchase order the portal computes a total of {shown} {invoice.currency}, the invoice "
                f"says {invoice.total_gross}; the invoice was not submitted (check the order's prices and VAT "
                "rate against the invoice)"])
        self.review_step.submit_invoice()
        if self.submitted_page.is_shown():
            return Submitted(self.submitted_page.reference())
        errors = self.review_step.error_messages()
        duplicate = [e for e in errors if DUPLICATE in e]
        if duplicate:
            return AlreadySubmitted(duplicate[0])
        self._refused_if(errors, invoice.number)
        raise UnexpectedScreen(f"after Submit the portal shows {self.review_step.page.url}")

    def rejection(self, invoice_number: str) -> str | None:
        return None  # the buyer's rejection shows in the list's status

    def show(self, listed: Listed) -> None:
        self.list_page.open_document(listed.reference)

    def _refused_if(self, errors: list[str], invoice_number: str) -> None:
        if errors:
            raise PortalRefused(self.site_name, invoice_number, errors)


def quantities_for(job: InvoiceJob) -> dict[int, str]:
    """Quantity per order line: each invoice line names its order line, or is taken in order."""
    quantities: dict[int, Decimal] = {}
    for position, line in enumerate(job.invoice.lines, start=1):
        order_line = line.order_line or position
        quantities[order_line] = quantities.get(order_line, Decimal(0)) + line.quantity
    return {n: format(q.normalize(), "f") for n, q in quantities.items()}


def parse_amount(text: str) -> Decimal | None:
    """ "EUR 1,622.40" → Decimal("1622.40") (None when unreadable)."""
    digits = "".join(c for c in text if c.isdigit() or c in ".-")
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None
