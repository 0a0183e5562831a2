"""A customer's purchase order as the PDF its purchasing department mails us: the lines that the
invoice later bills, net of VAT, with the order number to quote."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from sandbox.demo_data.documents.book import Party
from sandbox.demo_data.documents.formats import amount, short_date
from sandbox.demo_data.documents.pdf_pages import (
    HEADING,
    SMALL,
    TITLE,
    build_pdf,
    para,
    table_style,
)


def render_purchase_order(document: dict, party: Party, company: dict, ordered_on: date) -> bytes:
    fr = party.language == "fr"
    language = party.language
    rows = [["Désignation", "Quantité", "Prix unitaire HT", "Montant HT"] if fr else
            ["Description", "Quantity", "Unit price", "Net amount"]]
    total = Decimal("0.00")
    for line in document["lines"]:
        quantity, price = Decimal(line["quantity"]), Decimal(line["unit_price"])
        net = (quantity * price).quantize(Decimal("0.01"))
        total += net
        rows.append([line["description"], amount(quantity, language), amount(price, language), amount(net, language)])
    rows.append(["Total HT" if fr else "Total (excl. VAT)", "", "", amount(total, language)])
    table = Table(rows, colWidths=[85 * mm, 22 * mm, 32 * mm, 32 * mm], repeatRows=1, hAlign="LEFT",
                  style=table_style())
    table.setStyle([("ALIGN", (1, 0), (-1, -1), "RIGHT")])
    address = party.record["address"]
    delivery = short_date(ordered_on + timedelta(days=10), language)
    story = [para(party.name, HEADING), para(f"{address['line1']}\n{address['postcode']} {address['city']}", SMALL),
             Spacer(1, 8 * mm),
             para(f"BON DE COMMANDE N° {document['po_number']}" if fr else f"PURCHASE ORDER {document['po_number']}",
                  TITLE),
             para((f"Date : {short_date(ordered_on, 'fr')}\nFournisseur : {company['name']}\n"
                   f"Livraison souhaitée : {delivery}") if fr else
                  (f"Date: {short_date(ordered_on, 'en')}\nSupplier: {company['name']}\n"
                   f"Requested delivery: {delivery}")),
             Spacer(1, 6 * mm), table, Spacer(1, 6 * mm),
             para("Merci de rappeler le numéro de commande sur toutes vos factures." if fr else
                  "Please quote the order number on every invoice.", SMALL)]
    return build_pdf(story, title=f"{document['po_number']}", author=party.name, pagesize=A4)
