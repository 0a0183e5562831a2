"""What the collect step reads from the ERP, turned into work-item payloads (``payload``'s shape),
without a browser: the "New invoices" workbook — a sheet of documents, each with its customer's
invoicing details (category, SIREN/SIRET, VAT number, address, language, invoice channel and its
details), and a "Lines" sheet of their lines keyed by document number — and the seller's details
as printed on the invoice PDF's letterhead and payment footer. Also when to look from
(``since_for``) and each item's unique reference.

The workbook is read by its column headers, not positions, so a column the ERP adds later is picked
up by name and nothing breaks meanwhile; a column the payload needs that is missing makes the export
unreadable rather than an item routed on a guess. The ERP labels its lists (category, invoice
channel) as its screens do; they become the codes of the customer record here.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pdfplumber
from openpyxl import load_workbook
from robocorp.workitems import BusinessException

from bots.portal_upload.model import CREDIT_NOTE, INVOICE

HEADER_KEY = "Document number"
DOCUMENT_KINDS = {"Invoice": INVOICE, "Credit note": CREDIT_NOTE}
# The ERP's labels of its customer lists, and the codes of its customer record.
CATEGORY_CODES = {"Large account": "large_account", "SME": "sme", "Public body": "public_body",
                  "Foreign": "foreign"}
CHANNEL_CODES = {"Supplier portal A": "portal_a", "Supplier portal B": "portal_b", "Chorus Pro": "chorus_pro",
                 "E-mail": "email", "Letter": "letter"}
DOCUMENT_COLUMNS = (
    "Document number", "Document type", "Issue date", "Due date", "Currency", "Net amount", "VAT amount",
    "Gross amount", "PO number", "Commitment number", "Service code", "Credited invoice",
    "Customer code", "Customer name", "Category", "SIREN", "SIRET", "VAT number",
    "Address", "Address (line 2)", "Postcode", "City", "Country", "Dunning language",
    "Invoice channel", "Portal supplier id", "Chorus Pro service code", "Billing e-mail",
)
LINE_COLUMNS = ("Document number", "Line", "Description", "Quantity", "Unit price", "VAT rate")
CENTS = Decimal("0.01")


class UnreadableExport(BusinessException):
    def __init__(self, what: str) -> None:
        super().__init__(message=f"The ERP's export cannot be read: {what}. Look at the workbook kept with this "
                                 "item; the ERP's export may have changed.", code="EXPORT_UNREADABLE")


@dataclass(frozen=True)
class ExportedInvoice:
    """One row of the "New invoices" sheet and its rows of the "Lines" sheet, as cell values."""

    row: dict[str, Any]
    lines: list[dict[str, Any]] = field(default_factory=list)

    @property
    def number(self) -> str:
        return str(self.row[HEADER_KEY]).strip()

    @property
    def customer_code(self) -> str:
        return str(self.row.get("Customer code") or "").strip()

    @property
    def issue_date(self) -> date:
        return _as_date(self.row.get("Issue date"), f"the issue date of {self.number}")


def read_new_invoices(workbook: Path | bytes) -> list[ExportedInvoice]:
    """The documents of a "New invoices" export, in the ERP's order, each with its lines."""
    data = workbook if isinstance(workbook, bytes) else Path(workbook).read_bytes()
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise UnreadableExport(f"it is not an Excel workbook ({exc.__class__.__name__})") from exc
    sheets = book.worksheets
    if not sheets:
        raise UnreadableExport("it has no sheet")
    documents = [ExportedInvoice(row) for row in _table(sheets[0], "the documents sheet", DOCUMENT_COLUMNS)]
    by_number = {doc.number: doc for doc in documents}
    lines_sheet = book["Lines"] if "Lines" in book.sheetnames else None
    if lines_sheet is None:
        raise UnreadableExport("it has no \"Lines\" sheet")
    for line in _table(lines_sheet, "the Lines sheet", LINE_COLUMNS):
        number = str(line[HEADER_KEY]).strip()
        if number in by_number:
            by_number[number].lines.append(line)
    return documents


def seller_from_invoice_pdf(pdf: bytes, email: str) -> dict[str, Any]:
    """Our company as the ERP prints it on every invoice: the letterhead (name, address, SIRET, VAT
    number) and the payment footer (IBAN, BIC). ``email`` is our AR address (not printed)."""
    try:
        with pdfplumber.open(io.BytesIO(pdf)) as document:
            page = document.pages[0]
            letterhead = page.crop((0, 0, page.width / 2, page.height / 3)).extract_text() or ""
            text = page.extract_text() or ""
    except Exception as exc:  # pdfminer raises many kinds for a damaged file
        raise UnreadableExport(f"the invoice PDF is not readable ({exc.__class__.__name__})") from exc
    lines = [line.strip() for line in letterhead.splitlines() if line.strip()]
    siret_at = next((i for i, line in enumerate(lines) if line.startswith("SIRET ")), None)
    vat = next((line.removeprefix("TVA ").strip() for line in lines if line.startswith("TVA ")), None)
    bank = re.search(r"IBAN\s+([A-Z]{2}[0-9A-Z ]{10,40}?)\s*-\s*BIC\s+([A-Z0-9]{8,11})", text)
    if siret_at is None or siret_at < 3 or not vat or not bank:
        raise UnreadableExport("the invoice PDF does not show our company's name, address, SIRET, VAT number, IBAN "
                               "and BIC where the ERP prints them")
    name, *street, town = lines[:siret_at]
    postcode, _, city = town.partition(" ")
    siret = lines[siret_at].removeprefix("SIRET ").replace(" ", "")
    return {"name": name, "siret": siret, "siren": siret[:9], "vat_number": vat,
            "iban": bank.group(1).replace(" ", ""), "bic": bank.group(2), "email": email, "phone": None,
            "address": {"line1": street[0], "line2": street[1] if len(street) > 1 else None, "postcode": postcode,
                        "city": city, "country": vat[:2] if vat[:2].isalpha() else "FR"}}


def invoice_payload(exported: ExportedInvoice, seller: dict[str, Any]) -> dict[str, Any]:
    """The work item's payload (see ``payload``) for one exported document. The invoice's service
    code is its own, else its customer's default, as the deliver step has always received it."""
    row, number = exported.row, exported.number
    kind = DOCUMENT_KINDS.get(str(row.get("Document type") or "").strip())
    if kind is None:
        raise UnreadableExport(f"document {number} has the type {row.get('Document type')!r}")
    if not exported.lines:
        raise UnreadableExport(f"document {number} has no lines in the Lines sheet")
    if not exported.customer_code or not _text(row.get("Customer name")):
        raise UnreadableExport(f"document {number} has no customer code or customer name")
    return {
        "invoice": {
            "number": number, "kind": kind, "issue_date": exported.issue_date.isoformat(),
            "due_date": _as_date(row.get("Due date"), f"the due date of {number}").isoformat(),
            "currency": _text(row.get("Currency")) or "EUR", "po_number": _text(row.get("PO number")),
            "commitment_number": _text(row.get("Commitment number")),
            "service_code": _text(row.get("Service code")) or _text(row.get("Chorus Pro service code")),
            "credited_invoice": _text(row.get("Credited invoice")), "delivery_date": None,
            "total_net": _money(row.get("Net amount"), number), "total_vat": _money(row.get("VAT amount"), number),
            "total_gross": _money(row.get("Gross amount"), number), "pdf": f"{number}.pdf",
            "lines": [_line(line, number) for line in sorted(exported.lines, key=lambda row: _position(row, number))],
        },
        "customer": _customer(row),
        "seller": seller,
    }


def _customer(row: dict[str, Any]) -> dict[str, Any]:
    """The customer's master data as the export gives it beside each of its documents."""
    category, channel = _text(row.get("Category")), _text(row.get("Invoice channel"))
    return {
        "code": _text(row.get("Customer code")), "legal_name": _text(row.get("Customer name")),
        "category": CATEGORY_CODES.get(category, category) if category else "",
        "siret": _identifier(row.get("SIRET")), "siren": _identifier(row.get("SIREN")),
        "vat_number": _text(row.get("VAT number")),
        "address": {"line1": _text(row.get("Address")) or "", "line2": _text(row.get("Address (line 2)")),
                    "postcode": _text(row.get("Postcode")) or "", "city": _text(row.get("City")) or "",
                    "country": _text(row.get("Country")) or "FR"},
        "invoice_channel": CHANNEL_CODES.get(channel, channel) if channel else None,
        "portal_supplier_id": _text(row.get("Portal supplier id")),
        "chorus_service_code": _text(row.get("Chorus Pro service code")),
        "billing_email": _text(row.get("Billing e-mail")),
        "language": (_text(row.get("Dunning language")) or "fr").lower(),
    }


def item_reference(invoice_number: str, channel: str | None) -> str:
    """The unique reference of an invoice's item in a queue: its number and its channel."""
    return f"{invoice_number}:{channel or 'unknown'}"


def since_for(payload: Any, today: date, lookback_days: int) -> date:
    """From when the collect step looks: the input's ``since`` (a person catching up, a test), else
    ``lookback_days`` before ``today``. Collecting an invoice twice is harmless — its second item is
    refused by the queue's unique reference — so looking back a week rides over weekends, public
    holidays and an ERP that was down, without remembering anything between runs."""
    raw = payload.get("since") if isinstance(payload, dict) else None
    if raw:
        try:
            return date.fromisoformat(str(raw))
        except ValueError:
            raise BusinessException(message=f"The item's «since» is {raw!r}, not a date written YYYY-MM-DD.",
                                    code="PAYLOAD_INVALID") from None
    return today - timedelta(days=lookback_days)


def _table(sheet: Any, where: str, needed: tuple[str, ...]) -> list[dict[str, Any]]:
    """The rows under the header row (the one starting with "Document number"), up to the Total row;
    the header must have the ``needed`` columns."""
    header: list[str] | None = None
    rows = []
    for values in sheet.iter_rows(values_only=True):
        if header is None:
            if values and str(values[0] or "").strip() == HEADER_KEY:
                header = [str(v or "").strip() for v in values]
                missing = [name for name in needed if name not in header]
                if missing:
                    raise UnreadableExport(f"{where} has no column {', '.join(f'«{m}»' for m in missing)}")
            continue
        if not values or values[0] is None or str(values[0]).strip() in ("", "Total"):
            continue
        rows.append(dict(zip(header, values, strict=False)))
    if header is None:
        raise UnreadableExport(f"{where} has no header row starting with «{HEADER_KEY}»")
    return rows


def _line(raw: dict[str, Any], number: str) -> dict[str, Any]:
    where = f"a line of {number}"
    order_line = raw.get("Order line")
    return {"description": _text(raw.get("Description")) or "", "quantity": _number(raw.get("Quantity"), where),
            "unit_price": _number(raw.get("Unit price"), where),
            "vat_rate": str(_decimal(raw.get("VAT rate"), where).quantize(CENTS)), "unit_code": "C62",
            "order_line": int(order_line) if order_line not in (None, "") else None,
            "vat_category": _text(raw.get("VAT category"))}


def _position(raw: dict[str, Any], number: str) -> int:
    try:
        return int(raw.get("Line") or 0)
    except (TypeError, ValueError):
        raise UnreadableExport(f"a line of {number} has the line number {raw.get('Line')!r}") from None


def _decimal(value: Any, where: str) -> Decimal:
    """A cell's number: Excel keeps floats, so through their shortest text form (2.3 → 2.3)."""
    if isinstance(value, bool) or value is None or value == "":
        raise UnreadableExport(f"{where} has no number where one is expected")
    try:
        return Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise UnreadableExport(f"{where} has {value!r} where a number is expected") from None


def _money(value: Any, number: str) -> str:
    return str(_decimal(value, f"an amount of {number}").quantize(CENTS))


def _number(value: Any, where: str) -> str:
    amount = _decimal(value, where)
    return format(amount.normalize(), "f") if amount == amount.to_integral() else str(amount)


def _as_date(value: Any, what: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise UnreadableExport(f"{what} is {value!r}, not a date") from None


def _identifier(value: Any) -> str | None:
    """A SIREN or SIRET as text: digits Excel may have kept as a number, spaces dropped."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _text(value)
    return text.replace(" ", "") if text else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
