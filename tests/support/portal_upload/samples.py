"""Invoices, customers and our company as the ERP export would give them, plus the plain PDF the
ERP prints: small builders so each test says only what matters to it."""
from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from bots.portal_upload.model import INVOICE, Customer, Invoice, InvoiceJob, InvoiceLine, Money, PostalAddress, Seller
from bots.portal_upload.totals import cents

SELLER_SIRET = "41234567890012"
SELLER = Seller(
    name="Maintenance Industrielle Démo SAS", siret=SELLER_SIRET, siren="412345678", vat_number="FR32412345678",
    iban="FR7630004000031234567890143", bic="BNPAFRPPXXX", email="comptabilite.clients@mid-demo.example",
    address=PostalAddress("12 rue des Ateliers", "69100", "Villeurbanne", "FR", "ZI de la Plaine"),
    phone="+33 4 72 00 00 00")
PUBLIC_BUYER_SIRET = "21630113500010"


def customer(**changes) -> Customer:
    base = Customer(
        code="C0001", legal_name="Transports Garnier SA", category="large_account",
        address=PostalAddress("4 avenue Jean Jaurès", "69007", "Lyon", "FR"), siret="55208131700017",
        siren="552081317", vat_number="FR40552081317", invoice_channel="email",
        billing_email="factures@garnier.example", language="fr")
    return replace(base, **changes)


def public_body(**changes) -> Customer:
    return customer(**{"code": "C0900", "legal_name": "Commune de Clermont-Ferrand", "category": "public_body",
                       "siret": PUBLIC_BUYER_SIRET, "siren": "216301135", "vat_number": None,
                       "invoice_channel": "chorus_pro", "billing_email": None, "chorus_service_code": "SERV-FIN",
                       "address": PostalAddress("10 rue Philippe-Marcombes", "63033", "Clermont-Ferrand", "FR"),
                       **changes})


def lines(*specs: tuple[str, str, str]) -> tuple[InvoiceLine, ...]:
    specs = specs or (("Maintenance préventive - novembre", "1", "1250.00"), ("Filtre hydraulique HF35", "12", "8.50"))
    return tuple(InvoiceLine(d, Decimal(q), Decimal(p), Decimal("20.00"), order_line=i)
                 for i, (d, q, p) in enumerate(specs, start=1))


def invoice(number: str = "FA2026-00042", invoice_lines: tuple[InvoiceLine, ...] | None = None, **changes) -> Invoice:
    invoice_lines = invoice_lines or lines()
    net = sum((cents(line.quantity * line.unit_price) for line in invoice_lines), Decimal("0.00"))
    vat = sum((cents(cents(line.quantity * line.unit_price) * line.vat_rate / 100) for line in invoice_lines),
              Decimal("0.00"))
    base = Invoice(number=number, kind=INVOICE, issue_date=date(2026, 11, 20), due_date=date(2026, 12, 20),
                   currency="EUR", lines=invoice_lines, total_net=Money(net, "EUR"), total_vat=Money(vat, "EUR"),
                   total_gross=Money(net + vat, "EUR"), po_number="PO-1001", pdf_name=f"{number}.pdf")
    return replace(base, **changes)


def job(inv: Invoice | None = None, cust: Customer | None = None) -> InvoiceJob:
    return InvoiceJob(inv or invoice(), cust or customer(), SELLER)


def invoice_pdf(job_: InvoiceJob) -> bytes:
    """The ERP's printed invoice: a plain PDF."""
    inv = job_.invoice
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    y = 800
    for text in (f"FACTURE {inv.number} du {inv.issue_date:%d/%m/%Y}", job_.seller.name,
                 f"Client : {job_.customer.legal_name}", f"Commande : {inv.po_number or '-'}", "",
                 *(f"{line.description} : {line.quantity} x {line.unit_price} EUR" for line in inv.lines), "",
                 f"Total HT {inv.total_net}   TVA {inv.total_vat}   Total TTC {inv.total_gross}"):
        page.drawString(60, y, text)
        y -= 18
    page.showPage()
    page.save()
    return buffer.getvalue()
