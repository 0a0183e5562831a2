"""The PDF of an invoice or credit note, as the ERP prints it: seller and buyer blocks, references
(PO, public-sector commitment, service code), lines, VAT breakdown, payment details and the
statutory mentions of a French invoice."""
from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from sandbox.erp.amounts import format_amount
from sandbox.erp.models import Company, Invoice


def _address(lines: list[str]) -> str:
    return "<br/>".join(line for line in lines if line)


def _vat_breakdown(invoice: Invoice) -> list[tuple[Decimal, Decimal]]:
    bases: dict[Decimal, Decimal] = {}
    for line in invoice.lines:
        bases[line.vat_rate] = bases.get(line.vat_rate, Decimal("0.00")) + line.net
    return sorted(bases.items())


def render_invoice_pdf(invoice: Invoice, company: Company | None) -> bytes:
    """The document's PDF bytes (reproducible: same invoice, same bytes)."""
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    buffer = BytesIO()
    title = "AVOIR / CREDIT NOTE" if invoice.is_credit_note else "FACTURE / INVOICE"
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=16 * mm, bottomMargin=16 * mm, title=f"{title} {invoice.number}",
                            author=company.name if company else "", invariant=1)
    customer = invoice.customer
    seller = _address([
        f"<b>{company.name}</b>", company.address_line1, company.address_line2,
        f"{company.postcode} {company.city}", f"SIRET {company.siret}", f"TVA {company.vat_number}",
    ]) if company else ""
    buyer = _address([
        f"<b>{customer.legal_name}</b>", customer.address_line1, customer.address_line2,
        f"{customer.postcode} {customer.city} {customer.country if customer.country != 'FR' else ''}",
        f"SIRET {customer.siret}" if customer.siret else "",
        f"TVA {customer.vat_number}" if customer.vat_number else "",
    ])
    story = [
        Table([[Paragraph(seller, styles["BodyText"]), Paragraph(buyer, styles["BodyText"])]],
              colWidths=[87 * mm, 87 * mm], style=[("VALIGN", (0, 0), (-1, -1), "TOP")]),
        Spacer(1, 8 * mm),
        Paragraph(f"{title} N° {invoice.number}", styles["Heading1"]),
    ]
    refs = [
        ("Date", invoice.issue_date.isoformat()),
        ("Échéance / Due date", invoice.due_date.isoformat()),
        ("Client / Customer", customer.code),
    ]
    if invoice.po_number:
        refs.append(("Bon de commande / PO", invoice.po_number))
    if invoice.commitment_number:
        refs.append(("N° d'engagement", invoice.commitment_number))
    if invoice.service_code:
        refs.append(("Code service", invoice.service_code))
    if invoice.credited_invoice:
        refs.append(("Facture d'origine / Credited invoice", invoice.credited_invoice.number))
    story.append(Table(refs, colWidths=[60 * mm, 114 * mm], style=[("FONTSIZE", (0, 0), (-1, -1), 9)]))
    story.append(Spacer(1, 6 * mm))

    rows = [["Désignation / Description", "Qté / Qty", "PU HT / Unit price", "TVA %", "Total HT / Net"]]
    for line in invoice.lines:
        rows.append([Paragraph(line.description, small), f"{line.quantity.normalize():f}",
                     format_amount(line.unit_price), f"{line.vat_rate.normalize():f}", format_amount(line.net)])
    lines_table = Table(rows, colWidths=[78 * mm, 20 * mm, 30 * mm, 16 * mm, 30 * mm], repeatRows=1)
    lines_table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde3ea")),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story += [lines_table, Spacer(1, 4 * mm)]

    totals = [[f"Base HT {rate.normalize():f} %", format_amount(base)] for rate, base in _vat_breakdown(invoice)]
    totals += [
        ["Total HT / Net", format_amount(invoice.total_net)],
        ["TVA / VAT", format_amount(invoice.total_vat)],
        [f"Total TTC / Total ({invoice.currency})", format_amount(invoice.total_gross)],
    ]
    story.append(Table(totals, colWidths=[60 * mm, 30 * mm], hAlign="RIGHT",
                       style=[("ALIGN", (1, 0), (1, -1), "RIGHT"), ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold")]))
    story.append(Spacer(1, 6 * mm))
    if any(line.vat_rate == 0 for line in invoice.lines) and customer.country != "FR":
        story.append(Paragraph("Autoliquidation - reverse charge, article 196 de la directive 2006/112/CE.", small))
    if company:
        story.append(Paragraph(f"Règlement par virement / Pay by transfer: IBAN {company.iban} - BIC {company.bic}. "
                               f"Merci de rappeler le numéro {invoice.number}.", small))
    story.append(Paragraph(
        f"Conditions de paiement : {customer.payment_terms_label}. "
        "En cas de retard, pénalités au taux BCE majoré de 10 points et indemnité forfaitaire pour frais de "
        "recouvrement de 40 € (articles L441-10 et D441-5 du Code de commerce).", small))
    doc.build(story)
    return buffer.getvalue()
