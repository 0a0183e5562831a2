"""Remittance advices as PDF tables, as two kinds of AP systems print them:

- ``pdf_table_boxed``: portrait, boxed grid, "AVIS DE PAIEMENT" with a key/value box and columns
  Votre réf. | Notre réf. | Date pièce | Montant brut | Escompte | Retenue | Montant net
  (an SAP-like payment advice);
- ``pdf_table_ledger``: landscape, unruled, "Remittance Advice" with a two-column header and
  columns Invoice Number | Invoice Date | Description | Invoice Amount | Discount Taken |
  Adjustment | Amount Paid, dates as 02-DEC-2025 (an Oracle-like remittance).
"""
from __future__ import annotations

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from sandbox.demo_data.documents.advices import Advice, AdviceLine
from sandbox.demo_data.documents.formats import amount, short_date
from sandbox.demo_data.documents.pdf_pages import (
    HEADING,
    SHADE,
    SMALL,
    TITLE,
    build_pdf,
    para,
    table_style,
)

BOXED_LABELS = {
    "fr": {"title": "AVIS DE PAIEMENT", "payee": "Bénéficiaire", "vendor": "N° fournisseur",
           "payment": "N° de paiement", "date": "Date de paiement", "method": "Mode de règlement",
           "method_value": "Virement SEPA", "amount": "Montant du paiement", "behalf": "Pour le compte de",
           "columns": ("Votre réf.", "Notre réf.", "Date pièce", "Montant brut", "Escompte", "Retenue", "Montant net"),
           "total": "Total", "footer": "Document généré automatiquement, merci de ne pas y répondre.",
           "page": "Devise : EUR"},
    "en": {"title": "PAYMENT ADVICE", "payee": "Payee", "vendor": "Vendor no.", "payment": "Payment no.",
           "date": "Payment date", "method": "Payment method", "method_value": "SEPA credit transfer",
           "amount": "Payment amount", "behalf": "On behalf of",
           "columns": ("Your ref.", "Our doc.", "Doc. date", "Gross amount", "Discount", "Deduction", "Net amount"),
           "total": "Total", "footer": "This document was generated automatically; please do not reply.",
           "page": "Currency: EUR"},
}
LEDGER_LABELS = {
    "fr": {"title": "Avis de règlement", "supplier": "Fournisseur", "vendor": "N° fournisseur",
           "site": "Site fournisseur", "payment": "N° de paiement", "date": "Date de paiement",
           "method": "Mode de paiement", "method_value": "Virement", "amount": "Montant du paiement",
           "currency": "Devise", "behalf": "Entité payée",
           "columns": ("N° facture", "Date facture", "Description", "Montant facture", "Escompte obtenu",
                       "Ajustement", "Montant payé"),
           "total": "Total du paiement", "credit": "Avoir", "invoice": "Facture"},
    "en": {"title": "Remittance Advice", "supplier": "Supplier", "vendor": "Supplier Number",
           "site": "Supplier Site", "payment": "Payment Number", "date": "Payment Date",
           "method": "Payment Method", "method_value": "EFT", "amount": "Payment Amount", "currency": "Currency",
           "behalf": "Paid For",
           "columns": ("Invoice Number", "Invoice Date", "Description", "Invoice Amount", "Discount Taken",
                       "Adjustment", "Amount Paid"),
           "total": "Payment Total", "credit": "Credit memo", "invoice": "Invoice"},
}
MONTHS_UPPER = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def render_table_pdf(advice: Advice, company: dict) -> bytes:
    if advice.layout == "pdf_table_boxed":
        return _boxed(advice, company)
    if advice.layout == "pdf_table_ledger":
        return _ledger(advice, company)
    raise ValueError(f"not a PDF table layout: {advice.layout}")


def _boxed(advice: Advice, company: dict) -> bytes:
    language = advice.language
    t = BOXED_LABELS[language]
    payer = advice.payer
    address = payer.address
    story = [
        para(payer.name, HEADING),
        para(f"{address['line1']}\n{address['postcode']} {address['city']}", SMALL),
        Spacer(1, 8 * mm),
        para(t["title"], TITLE),
    ]
    info = [[t["payee"], company["name"]], [t["vendor"], payer.supplier_number],
            [t["payment"], advice.payment_reference], [t["date"], short_date(advice.payment_date, language)],
            [t["method"], t["method_value"]], [t["amount"], f"{amount(advice.total, language)} EUR"]]
    if advice.on_behalf_of:
        info.append([t["behalf"], advice.on_behalf_of])
    box = Table(info, colWidths=[45 * mm, 95 * mm], hAlign="LEFT", style=table_style(0, False))
    box.setStyle([("BACKGROUND", (0, 0), (0, -1), SHADE), ("FONT", (0, 0), (0, -1), "Helvetica-Bold", 8)])
    story += [box, Spacer(1, 6 * mm)]
    rows = [list(t["columns"])]
    for line in advice.lines:
        rows.append([line.written_as or (line.po_number or ""), line.payer_reference,
                     short_date(line.invoice_date, language), amount(line.gross, language),
                     amount(line.discount, language), amount(line.deduction, language), amount(line.paid, language)])
    rows.append([t["total"], "", "", "", "", "", amount(advice.total, language)])
    widths = [30 * mm, 24 * mm, 21 * mm, 25 * mm, 20 * mm, 20 * mm, 27 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT", style=table_style())
    table.setStyle([("ALIGN", (3, 0), (-1, -1), "RIGHT")])
    story += [table, Spacer(1, 4 * mm), para(t["page"], SMALL), para(t["footer"], SMALL)]
    return build_pdf(story, title=f"{t['title']} {advice.payment_reference}", author=payer.name, pagesize=A4,
                     password=advice.password)


def _oracle_date(line_date, language: str) -> str:
    if language == "fr":
        return short_date(line_date, language)
    return f"{line_date.day:02d}-{MONTHS_UPPER[line_date.month - 1]}-{line_date.year}"


def _description(line: AdviceLine, t: dict) -> str:
    if line.kind == "credit_note":
        return t["credit"]
    if line.po_number:
        return f"PO {line.po_number}"
    return t["invoice"]


def _ledger(advice: Advice, company: dict) -> bytes:
    language = advice.language
    t = LEDGER_LABELS[language]
    payer = advice.payer
    left = [[t["supplier"], company["name"]], [t["vendor"], payer.supplier_number],
            [t["site"], company["address"]["city"].upper()]]
    if advice.on_behalf_of:
        left.append([t["behalf"], advice.on_behalf_of])
    right = [[t["payment"], advice.payment_reference], [t["date"], _oracle_date(advice.payment_date, language)],
             [t["method"], t["method_value"]], [t["amount"], amount(advice.total, language)],
             [t["currency"], "EUR"]]
    header = Table([[para(t["title"], TITLE), para(payer.name, HEADING)]], colWidths=[150 * mm, 100 * mm],
                   hAlign="LEFT")
    plain = table_style(0, False, boxed=False)
    plain.add("FONT", (0, 0), (0, -1), "Helvetica-Bold", 8)
    blocks = Table([[Table(left, colWidths=[35 * mm, 85 * mm], style=plain),
                     Table(right, colWidths=[40 * mm, 60 * mm], style=plain)]],
                   colWidths=[130 * mm, 110 * mm], hAlign="LEFT", style=[("VALIGN", (0, 0), (-1, -1), "TOP")])
    rows = [list(t["columns"])]
    for line in advice.lines:
        rows.append([line.written_as or "", _oracle_date(line.invoice_date, language), _description(line, t),
                     amount(line.gross, language), amount(line.discount, language),
                     amount(-line.deduction - (line.gross - line.allocated), language), amount(line.paid, language)])
    rows.append([t["total"], "", "", "", "", "", amount(advice.total, language)])
    table = Table(rows, colWidths=[38 * mm, 28 * mm, 50 * mm, 32 * mm, 32 * mm, 30 * mm, 32 * mm], repeatRows=1,
                  hAlign="LEFT", style=table_style(boxed=False))
    table.setStyle([("ALIGN", (3, 0), (-1, -1), "RIGHT")])
    story = [header, blocks, Spacer(1, 8 * mm), table, Spacer(1, 6 * mm),
             para(f"{payer.name} - {payer.address['line1']}, {payer.address['postcode']} {payer.address['city']}",
                  SMALL)]
    return build_pdf(story, title=f"{t['title']} {advice.payment_reference}", author=payer.name,
                     pagesize=landscape(A4), password=advice.password)
