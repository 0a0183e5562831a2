"""Real Factur-X invoices for the Chorus Pro tests: an EN 16931 CII XML built from a few fields,
embedded with ``facturx.generate_from_binary`` into a PDF drawn by reportlab.
tests/sandbox/test_chorus_pro_facturx.py proves the builder produces what the factur-x library accepts."""
from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from xml.sax.saxutils import escape

import facturx
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

SUPPLIER_SIRET = "41234567890012"
SUPPLIER_NAME = "Nettoyage Industriel du Centre SAS"
BUYER_SIRET = "21630113500010"  # requires a service code and a commitment number in the tests' seed
BUYER_NAME = "Commune de Clermont-Ferrand"
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class InvoiceSpec:
    number: str = "F2026-0001"
    type_code: str = "380"
    issue_date: date = date(2026, 11, 20)
    supplier_siret: str = SUPPLIER_SIRET
    supplier_name: str = SUPPLIER_NAME
    buyer_siret: str = BUYER_SIRET
    buyer_name: str = BUYER_NAME
    service_code: str | None = "SERV-FIN"
    commitment: str | None = "EJ-2026-0042"
    lines: tuple[tuple[str, Decimal, Decimal], ...] = (
        ("Nettoyage des locaux - novembre", Decimal("1"), Decimal("1250.00")),
        ("Fournitures sanitaires", Decimal("12"), Decimal("8.50")),
    )
    vat_rate: Decimal = Decimal("20.00")
    with_payment_means: bool = True

    def amounts(self) -> tuple[Decimal, Decimal, Decimal]:
        """Total without VAT, VAT, total with VAT."""
        net = sum((q * p).quantize(CENTS) for _, q, p in self.lines)
        vat = (net * self.vat_rate / 100).quantize(CENTS)
        return net, vat, net + vat


def invoice(**changes) -> InvoiceSpec:
    return replace(InvoiceSpec(), **changes)


def cii_xml(spec: InvoiceSpec) -> bytes:
    """A CrossIndustryInvoice at the EN 16931 profile."""
    net, vat, gross = spec.amounts()
    rate = f"{spec.vat_rate:.2f}"
    line_items = "".join(f"""
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>{i}</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct><ram:Name>{escape(label)}</ram:Name></ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement>
        <ram:NetPriceProductTradePrice><ram:ChargeAmount>{price:.2f}</ram:ChargeAmount></ram:NetPriceProductTradePrice>
      </ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="C62">{quantity}</ram:BilledQuantity>\
</ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>{rate}</ram:RateApplicablePercent></ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementLineMonetarySummation>\
<ram:LineTotalAmount>{(quantity * price).quantize(CENTS):.2f}</ram:LineTotalAmount>\
</ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>""" for i, (label, quantity, price) in enumerate(spec.lines, start=1))
    service = f"<ram:BuyerReference>{escape(spec.service_code)}</ram:BuyerReference>" if spec.service_code else ""
    commitment = (f"<ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>{escape(spec.commitment)}"
                  "</ram:IssuerAssignedID></ram:BuyerOrderReferencedDocument>" if spec.commitment else "")
    payment = ("""<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>30</ram:TypeCode>
        <ram:PayeePartyCreditorFinancialAccount><ram:IBANID>FR7630006000011234567890189</ram:IBANID></ram:PayeePartyCreditorFinancialAccount>
      </ram:SpecifiedTradeSettlementPaymentMeans>""" if spec.with_payment_means else "")
    due = (spec.issue_date + timedelta(days=30)).strftime("%Y%m%d")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>{escape(spec.number)}</ram:ID>
    <ram:TypeCode>{spec.type_code}</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">{spec.issue_date:%Y%m%d}</udt:DateTimeString>\
</ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>{line_items}
    <ram:ApplicableHeaderTradeAgreement>
      {service}
      <ram:SellerTradeParty>
        <ram:Name>{escape(spec.supplier_name)}</ram:Name>
        <ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">{spec.supplier_siret}</ram:ID>\
</ram:SpecifiedLegalOrganization>
        <ram:PostalTradeAddress><ram:PostcodeCode>63000</ram:PostcodeCode><ram:LineOne>12 rue Blatin</ram:LineOne>\
<ram:CityName>Clermont-Ferrand</ram:CityName><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">FR32412345678</ram:ID></ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty>
        <ram:Name>{escape(spec.buyer_name)}</ram:Name>
        <ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">{spec.buyer_siret}</ram:ID>\
</ram:SpecifiedLegalOrganization>
        <ram:PostalTradeAddress><ram:PostcodeCode>63033</ram:PostcodeCode>\
<ram:LineOne>10 rue Philippe-Marcombes</ram:LineOne><ram:CityName>Clermont-Ferrand</ram:CityName>\
<ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>
      </ram:BuyerTradeParty>
      {commitment}
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery/>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      {payment}
      <ram:ApplicableTradeTax>
        <ram:CalculatedAmount>{vat:.2f}</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>
        <ram:BasisAmount>{net:.2f}</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode>
        <ram:RateApplicablePercent>{rate}</ram:RateApplicablePercent>
      </ram:ApplicableTradeTax>
      <ram:SpecifiedTradePaymentTerms>
        <ram:DueDateDateTime><udt:DateTimeString format="102">{due}</udt:DateTimeString></ram:DueDateDateTime>
      </ram:SpecifiedTradePaymentTerms>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>{net:.2f}</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>{net:.2f}</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="EUR">{vat:.2f}</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>{gross:.2f}</ram:GrandTotalAmount>
        <ram:DuePayableAmount>{gross:.2f}</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>""".encode()


def plain_pdf(spec: InvoiceSpec) -> bytes:
    """The human-readable invoice, as an ordinary PDF."""
    net, vat, gross = spec.amounts()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    y = 800
    for text in (f"FACTURE {spec.number} du {spec.issue_date:%d/%m/%Y}", spec.supplier_name,
                 f"SIRET {spec.supplier_siret}", "", f"Destinataire : {spec.buyer_name} (SIRET {spec.buyer_siret})",
                 f"Service : {spec.service_code or '-'}   Engagement juridique : {spec.commitment or '-'}", "",
                 *(f"{label} : {q} x {p} EUR" for label, q, p in spec.lines), "",
                 f"Total HT {net} EUR   TVA {vat} EUR   Total TTC {gross} EUR"):
        page.drawString(60, y, text)
        y -= 18
    page.showPage()
    page.save()
    return buffer.getvalue()


def facturx_pdf(spec: InvoiceSpec | None = None, xml: bytes | None = None) -> bytes:
    """A Factur-X PDF of ``spec``; pass ``xml`` to embed another (for instance a broken) XML as is."""
    spec = spec or InvoiceSpec()
    checked = xml is None
    return facturx.generate_from_binary(
        plain_pdf(spec), xml if xml is not None else cii_xml(spec), flavor="factur-x", level="en16931",
        check_xsd=checked, pdf_metadata={"author": spec.supplier_name, "keywords": "Factur-X, Invoice",
                                         "title": f"Invoice {spec.number}", "subject": f"Invoice {spec.number}"},
    )
