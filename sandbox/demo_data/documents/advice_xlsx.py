"""Remittance advices as Excel sheets, as AP departments export them: a few header rows (payer,
date, reference, total), then a table with one row per document, a comment column and a total
row; amounts are numbers, dates are dates, invoice numbers text."""
from __future__ import annotations

import io
from datetime import UTC, datetime, time
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.writer.excel import ExcelWriter

from sandbox.demo_data.documents.advices import Advice, AdviceLine
from sandbox.demo_data.documents.stable_zip import restamp

LABELS = {
    "fr": {"sheet": "Avis de paiement", "title": "Avis de paiement", "date": "Date de paiement",
           "reference": "Référence paiement", "vendor": "N° fournisseur", "total": "Montant total",
           "currency": "Devise", "behalf": "Pour le compte de",
           "columns": ("N° facture", "Date facture", "Montant facture", "Escompte", "Retenue", "Montant payé",
                       "Commentaire"),
           "sum": "Total", "credit": "Avoir", "partial": "Règlement partiel", "discount": "Escompte 2 %",
           "deduction": "Retenue litige", "missing": "Commande {po}", "date_format": "DD/MM/YYYY"},
    "en": {"sheet": "Remittance", "title": "Remittance advice", "date": "Payment date",
           "reference": "Payment reference", "vendor": "Vendor number", "total": "Total amount",
           "currency": "Currency", "behalf": "On behalf of",
           "columns": ("Invoice no.", "Invoice date", "Invoice amount", "Discount", "Deduction", "Amount paid",
                       "Comment"),
           "sum": "Total", "credit": "Credit note", "partial": "Part payment", "discount": "2% discount",
           "deduction": "Disputed - withheld", "missing": "PO {po}", "date_format": "DD-MMM-YYYY"},
}
MONEY = "#,##0.00"
HEADER_ROW = 9


def _comment(line: AdviceLine, t: dict) -> str | None:
    if line.kind == "credit_note":
        return t["credit"]
    if line.discount:
        return t["discount"]
    if line.deduction:
        return t["deduction"]
    if line.allocated != line.gross:
        return t["partial"]
    if line.written_as is None and line.po_number:
        return t["missing"].format(po=line.po_number)
    return None


def render_xlsx(advice: Advice) -> bytes:
    t = LABELS[advice.language]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = t["sheet"]
    bold = Font(bold=True)
    sheet["A1"] = advice.payer.name
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = t["title"]
    sheet["A2"].font = bold
    header = [(t["date"], advice.payment_date), (t["reference"], advice.payment_reference),
              (t["vendor"], advice.payer.supplier_number), (t["total"], advice.total), (t["currency"], "EUR")]
    if advice.on_behalf_of:
        header.append((t["behalf"], advice.on_behalf_of))
    for row, (key, value) in enumerate(header, start=3):
        sheet.cell(row, 1, key).font = bold
        cell = sheet.cell(row, 2, value)
        if key == t["date"]:
            cell.number_format = t["date_format"]
        elif key == t["total"]:
            cell.number_format = MONEY
    for column, title in enumerate(t["columns"], start=1):
        cell = sheet.cell(HEADER_ROW, column, title)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="DDE4EE")
    row = HEADER_ROW
    for row, line in enumerate(advice.lines, start=HEADER_ROW + 1):
        sheet.cell(row, 1, line.written_as)
        sheet.cell(row, 2, line.invoice_date).number_format = t["date_format"]
        for column, value in ((3, line.gross), (4, line.discount), (5, line.deduction), (6, line.paid)):
            sheet.cell(row, column, value).number_format = MONEY
        sheet.cell(row, 7, _comment(line, t))
    total_row = row + 1
    sheet.cell(total_row, 1, t["sum"]).font = bold
    total = sheet.cell(total_row, 6, advice.total)
    total.number_format, total.font = MONEY, bold
    for column, width in zip("ABCDEFG", (22, 14, 16, 12, 12, 16, 24), strict=True):
        sheet.column_dimensions[column].width = width
    when = datetime.combine(advice.payment_date, time(8, 0), UTC).replace(tzinfo=None)
    workbook.properties.creator = workbook.properties.lastModifiedBy = advice.payer.name
    workbook.properties.created = workbook.properties.modified = when
    workbook.properties.title = f"{t['title']} {advice.payment_reference}"
    buffer = io.BytesIO()
    # ExcelWriter rather than workbook.save(), which stamps "modified" with the current time.
    ExcelWriter(workbook, ZipFile(buffer, "w", ZIP_DEFLATED)).save()
    return restamp(buffer.getvalue(), when)
