"""The Excel files a clerk downloads, laid out as the ERP writes them: a title block (company,
report, when and by whom, filters), a blank row, the header row, the data, and a Total row.
Amounts are numeric cells with two decimals, dates are date cells."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sandbox.erp.ledger import AGING_BUCKETS, AGING_LABELS, AgedBalanceRow, OpenItemRow
from sandbox.erp.models import CATEGORIES, CHANNELS, Invoice

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")


def _title_block(sheet: Worksheet, company: str, title: str, exported_at: datetime, user: str, criteria: str) -> None:
    sheet.append([company])
    sheet.append([title])
    sheet.append([f"Exported {exported_at:%Y-%m-%d %H:%M} by {user}"])
    sheet.append([criteria])
    sheet.append([])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"].font = Font(bold=True)


def _table(sheet: Worksheet, headers: Sequence[str], rows: Sequence[Sequence], money_columns: set[int],
           total_label_column: int | None = None) -> None:
    """Header, rows, and a Total row summing the money columns (values, not formulas)."""
    sheet.append(list(headers))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for row in rows:
        sheet.append(list(row))
        for index, cell in enumerate(sheet[sheet.max_row]):
            if index in money_columns:
                cell.number_format = MONEY_FORMAT
            elif isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
    if total_label_column is not None:
        total = [None] * len(headers)
        total[total_label_column] = "Total"
        for index in money_columns:
            total[index] = sum((row[index] for row in rows if row[index] is not None), Decimal("0.00"))
        sheet.append(total)
        for index, cell in enumerate(sheet[sheet.max_row]):
            cell.font = Font(bold=True)
            if index in money_columns:
                cell.number_format = MONEY_FORMAT
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) + 2)


def _save(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


OPEN_ITEMS_HEADERS = (
    "Customer code", "Customer name", "Document type", "Document number", "Issue date", "Due date",
    "Days overdue", "Currency", "Document amount", "Open amount", "Disputed", "Dispute reason",
    "Promise date", "Promise amount", "PO number",
)


def open_items_workbook(
    rows: list[OpenItemRow], company: str, exported_at: datetime, user: str, criteria: str
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Open items"
    _title_block(sheet, company, "Open items", exported_at, user, criteria)
    data = []
    for row in rows:
        invoice = row.invoice
        promise = invoice.latest_promise
        data.append([
            invoice.customer.code, invoice.customer.legal_name,
            "Credit note" if invoice.is_credit_note else "Invoice", invoice.number, invoice.issue_date,
            invoice.due_date, row.days_overdue, invoice.currency, invoice.signed_total, row.open_amount,
            "Yes" if invoice.disputed else "No", invoice.dispute_reason or None,
            promise.promised_date if promise else None, promise.amount if promise else None, invoice.po_number,
        ])
    _table(sheet, OPEN_ITEMS_HEADERS, data, money_columns={8, 9, 13}, total_label_column=0)
    return _save(workbook)


AGED_HEADERS = ("Customer code", "Customer name", "Category", "Dunning language",
                *(AGING_LABELS[b] for b in AGING_BUCKETS), "Total", "Disputed")


def aged_balance_workbook(
    rows: list[AgedBalanceRow], company: str, exported_at: datetime, user: str, as_of: date
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Aged balance"
    _title_block(sheet, company, "Aged balance", exported_at, user, f"As of {as_of.isoformat()}")
    data = [
        [row.customer.code, row.customer.legal_name, CATEGORIES[row.customer.category], row.customer.dunning_language,
         *(row.buckets[b] for b in AGING_BUCKETS), row.total, row.disputed]
        for row in rows
    ]
    _table(sheet, AGED_HEADERS, data, money_columns=set(range(4, 4 + len(AGING_BUCKETS) + 2)), total_label_column=0)
    return _save(workbook)


# One row per document, with what distributing it needs to know of its customer (as the customer
# record has it, labelled as on the customer form), then a "Lines" sheet keyed by document number.
NEW_INVOICES_HEADERS = (
    "Document number", "Document type", "Issue date", "Due date", "Currency", "Net amount", "VAT amount",
    "Gross amount", "PO number", "Commitment number", "Service code", "Credited invoice",
    "Customer code", "Customer name", "Category", "SIREN", "SIRET", "VAT number",
    "Address", "Address (line 2)", "Postcode", "City", "Country", "Dunning language",
    "Invoice channel", "Portal supplier id", "Chorus Pro service code", "Billing e-mail",
)
LINES_HEADERS = ("Document number", "Line", "Order line", "Description", "Quantity", "Unit price", "VAT rate",
                 "VAT category", "Net amount")


def new_invoices_workbook(
    invoices: list[Invoice], company: str, exported_at: datetime, user: str, since: date
) -> bytes:
    """Invoices and credit notes issued since a date with their customers' invoicing details, and a
    second sheet of their lines. "Service code" is the document's own (BT-10, empty when the
    invoice was not given one); "Chorus Pro service code" is the customer's default."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "New invoices"
    _title_block(sheet, company, "New invoices", exported_at, user, f"Issued on or after {since.isoformat()}")
    data = []
    for invoice in invoices:
        customer = invoice.customer
        data.append([
            invoice.number, "Credit note" if invoice.is_credit_note else "Invoice", invoice.issue_date,
            invoice.due_date, invoice.currency, invoice.total_net, invoice.total_vat, invoice.total_gross,
            invoice.po_number, invoice.commitment_number, invoice.service_code,
            invoice.credited_invoice.number if invoice.credited_invoice else None,
            customer.code, customer.legal_name, CATEGORIES.get(customer.category, customer.category),
            customer.siren, customer.siret, customer.vat_number,
            customer.address_line1, customer.address_line2 or None, customer.postcode, customer.city,
            customer.country, customer.dunning_language,
            CHANNELS.get(customer.invoice_channel, customer.invoice_channel) or None, customer.portal_supplier_id,
            customer.chorus_service_code, customer.billing_email,
        ])
    _table(sheet, NEW_INVOICES_HEADERS, data, money_columns={5, 6, 7}, total_label_column=0)
    lines = workbook.create_sheet("Lines")
    lines_data = [
        [invoice.number, line.position, line.order_line, line.description, line.quantity, line.unit_price,
         line.vat_rate, line.vat_category, line.net]
        for invoice in invoices
        for line in invoice.lines
    ]
    _table(lines, LINES_HEADERS, lines_data, money_columns={5, 8})
    return _save(workbook)
