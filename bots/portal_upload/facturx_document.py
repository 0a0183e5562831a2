"""The Factur-X invoice: the EN 16931 CII XML built from the invoice data, and the ERP's PDF turned
into a PDF/A-3 carrying it (the factur-x library does the embedding).

What goes where (EN 16931 business terms):

- BT-1 number, BT-3 type (380/381), BT-2 issue date, BT-22 legal notes (late-payment penalties,
  the €40 recovery fee, no early-payment discount: French Code de commerce L441-10, D441-5);
- BG-4 seller: name, SIRET (legal registration, ISO 6523 scheme 0009), postal address, VAT number;
- BG-7 buyer: name, SIRET when French (Chorus Pro finds the public buyer by it), address, VAT;
- BT-10 buyer reference: the public buyer's service code ("code service", Chorus Pro);
- BT-13 purchase order reference: the commitment number ("engagement juridique") for a public
  buyer, else the customer's PO number; BT-132 the PO line of each invoice line;
- BT-72 delivery date, BT-80 deliver-to country for intra-community supplies;
- BT-81/BT-84/BT-86 payment by credit transfer to the seller's IBAN (BIC), BT-83 the invoice number
  as remittance information, BT-9 the due date, BT-25 the invoice a credit note corrects;
- BG-23 the VAT breakdown computed from the lines; BG-22 the totals as the ERP stated them, so a
  disagreement surfaces in validation (BR-CO-10…16) instead of being silently corrected.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import facturx as facturx_lib
from lxml import etree

from bots.portal_upload.model import InvoiceJob, InvoiceLine, PostalAddress
from bots.portal_upload.totals import VatGroup, line_net, vat_breakdown
from bots.portal_upload.vat import VatCategory, category_for

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
EN16931 = "urn:cen.eu:en16931:2017"
SIRET_SCHEME = "0009"
CREDIT_TRANSFER = "30"


def legal_notes(public_buyer: bool) -> list[tuple[str, str]]:
    """(UNTDID 4451 subject code, text) of the payment mentions French law requires on invoices."""
    rate = "taux BCE + 8 points" if public_buyer else "taux d'intérêt de la BCE majoré de 10 points"
    return [
        ("PMD", f"En cas de retard de paiement, des pénalités sont exigibles au {rate} (art. L441-10 du Code "
                "de commerce)."),
        ("PMT", "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 € "
                "(art. D441-5 du Code de commerce)."),
        ("AAB", "Pas d'escompte pour paiement anticipé."),
    ]


def build_cii_xml(job: InvoiceJob) -> bytes:
    """The CrossIndustryInvoice (Factur-X EN 16931 profile) of ``job``, UTF-8 encoded."""
    invoice, customer, seller = job.invoice, job.customer, job.seller
    buyer_country = customer.address.country if customer.address else None
    categorised = [(line, category_for(line.vat_rate, seller.address.country, buyer_country, line.description,
                                       line.vat_category)) for line in invoice.lines]
    groups = vat_breakdown(categorised)
    currency = invoice.currency

    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _sub(root, RSM, "ExchangedDocumentContext")
    _text(_sub(context, RAM, "GuidelineSpecifiedDocumentContextParameter"), RAM, "ID", EN16931)

    document = _sub(root, RSM, "ExchangedDocument")
    _text(document, RAM, "ID", invoice.number)
    _text(document, RAM, "TypeCode", invoice.type_code)
    _date(_sub(document, RAM, "IssueDateTime"), invoice.issue_date)
    for subject, content in legal_notes(customer.is_public_body):
        note = _sub(document, RAM, "IncludedNote")
        _text(note, RAM, "Content", content)
        _text(note, RAM, "SubjectCode", subject)

    transaction = _sub(root, RSM, "SupplyChainTradeTransaction")
    for number, (line, category) in enumerate(categorised, start=1):
        _line_item(transaction, number, line, category)

    agreement = _sub(transaction, RAM, "ApplicableHeaderTradeAgreement")
    if invoice.service_code:
        _text(agreement, RAM, "BuyerReference", invoice.service_code)
    seller_party = _sub(agreement, RAM, "SellerTradeParty")
    _text(seller_party, RAM, "Name", seller.name)
    _text(_sub(seller_party, RAM, "SpecifiedLegalOrganization"), RAM, "ID", seller.siret, schemeID=SIRET_SCHEME)
    _address(seller_party, seller.address)
    _text(_sub(seller_party, RAM, "SpecifiedTaxRegistration"), RAM, "ID", seller.vat_number, schemeID="VA")
    buyer_party = _sub(agreement, RAM, "BuyerTradeParty")
    _text(buyer_party, RAM, "Name", customer.legal_name)
    if customer.siret:
        _text(_sub(buyer_party, RAM, "SpecifiedLegalOrganization"), RAM, "ID", customer.siret,
              schemeID=SIRET_SCHEME)
    if customer.address:
        _address(buyer_party, customer.address)
    if customer.vat_number:
        _text(_sub(buyer_party, RAM, "SpecifiedTaxRegistration"), RAM, "ID", customer.vat_number, schemeID="VA")
    order_reference = invoice.commitment_number or invoice.po_number
    if order_reference:
        _text(_sub(agreement, RAM, "BuyerOrderReferencedDocument"), RAM, "IssuerAssignedID", order_reference)

    delivery = _sub(transaction, RAM, "ApplicableHeaderTradeDelivery")
    if buyer_country and any(c.code == "K" for _, c in categorised):
        ship_to = _sub(delivery, RAM, "ShipToTradeParty")
        _text(_sub(ship_to, RAM, "PostalTradeAddress"), RAM, "CountryID", buyer_country)
    event = _sub(delivery, RAM, "ActualDeliverySupplyChainEvent")
    _date(_sub(event, RAM, "OccurrenceDateTime"), invoice.delivery_date or invoice.issue_date)

    settlement = _sub(transaction, RAM, "ApplicableHeaderTradeSettlement")
    _text(settlement, RAM, "PaymentReference", invoice.number)
    _text(settlement, RAM, "InvoiceCurrencyCode", currency)
    means = _sub(settlement, RAM, "SpecifiedTradeSettlementPaymentMeans")
    _text(means, RAM, "TypeCode", CREDIT_TRANSFER)
    _text(_sub(means, RAM, "PayeePartyCreditorFinancialAccount"), RAM, "IBANID", seller.iban)
    if seller.bic:
        _text(_sub(means, RAM, "PayeeSpecifiedCreditorFinancialInstitution"), RAM, "BICID", seller.bic)
    for group in groups:
        _vat_group(settlement, group)
    terms = _sub(settlement, RAM, "SpecifiedTradePaymentTerms")
    _date(_sub(terms, RAM, "DueDateDateTime"), invoice.due_date)
    summation = _sub(settlement, RAM, "SpecifiedTradeSettlementHeaderMonetarySummation")
    _amount(summation, "LineTotalAmount", sum((line_net(line) for line in invoice.lines), Decimal("0.00")))
    _amount(summation, "TaxBasisTotalAmount", invoice.total_net.amount)
    _amount(summation, "TaxTotalAmount", invoice.total_vat.amount, currencyID=currency)
    _amount(summation, "GrandTotalAmount", invoice.total_gross.amount)
    _amount(summation, "DuePayableAmount", invoice.total_gross.amount)
    if invoice.credited_invoice:
        _text(_sub(settlement, RAM, "InvoiceReferencedDocument"), RAM, "IssuerAssignedID", invoice.credited_invoice)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def embed_in_pdf(pdf: bytes, xml: bytes, job: InvoiceJob) -> bytes:
    """The ERP's PDF as a Factur-X PDF/A-3 carrying ``xml`` (validate the XML first: the library's
    own checks are switched off here, its Schematron check would call an HTTP server)."""
    invoice, seller = job.invoice, job.seller
    kind = "Avoir" if invoice.type_code == "381" else "Facture"
    return facturx_lib.generate_from_binary(
        pdf, xml, flavor="factur-x", level="en16931", check_xsd=False, check_schematron=False,
        pdf_metadata={"author": seller.name, "keywords": "Factur-X, Invoice",
                      "title": f"{seller.name}: {kind} {invoice.number}",
                      "subject": f"Factur-X {invoice.number} du {invoice.issue_date.isoformat()}, {seller.name}"},
        lang="en-GB" if job.customer.language == "en" else "fr-FR",
    )


def read_embedded_xml(pdf: bytes) -> bytes | None:
    """The factur-x.xml a PDF carries (None if none): what a receiver will read."""
    _name, xml = facturx_lib.get_xml_from_pdf(pdf, check_xsd=False)
    return xml or None


def _line_item(parent: etree._Element, number: int, line: InvoiceLine, category: VatCategory) -> None:
    item = _sub(parent, RAM, "IncludedSupplyChainTradeLineItem")
    _text(_sub(item, RAM, "AssociatedDocumentLineDocument"), RAM, "LineID", str(number))
    _text(_sub(item, RAM, "SpecifiedTradeProduct"), RAM, "Name", line.description)
    agreement = _sub(item, RAM, "SpecifiedLineTradeAgreement")
    if line.order_line is not None:
        _text(_sub(agreement, RAM, "BuyerOrderReferencedDocument"), RAM, "LineID", str(line.order_line))
    _text(_sub(agreement, RAM, "NetPriceProductTradePrice"), RAM, "ChargeAmount", _plain(line.unit_price))
    _text(_sub(item, RAM, "SpecifiedLineTradeDelivery"), RAM, "BilledQuantity", _plain(line.quantity),
          unitCode=line.unit_code)
    settlement = _sub(item, RAM, "SpecifiedLineTradeSettlement")
    tax = _sub(settlement, RAM, "ApplicableTradeTax")
    _text(tax, RAM, "TypeCode", "VAT")
    _text(tax, RAM, "CategoryCode", category.code)
    _text(tax, RAM, "RateApplicablePercent", _plain(line.vat_rate))
    _amount(_sub(settlement, RAM, "SpecifiedTradeSettlementLineMonetarySummation"), "LineTotalAmount",
            line_net(line))


def _vat_group(settlement: etree._Element, group: VatGroup) -> None:
    tax = _sub(settlement, RAM, "ApplicableTradeTax")
    _amount(tax, "CalculatedAmount", group.tax)
    _text(tax, RAM, "TypeCode", "VAT")
    if group.category.exemption_text:
        _text(tax, RAM, "ExemptionReason", group.category.exemption_text)
    _amount(tax, "BasisAmount", group.basis)
    _text(tax, RAM, "CategoryCode", group.category.code)
    if group.category.exemption_code:
        _text(tax, RAM, "ExemptionReasonCode", group.category.exemption_code)
    _text(tax, RAM, "RateApplicablePercent", _plain(group.rate))


def _address(party: etree._Element, address: PostalAddress) -> None:
    postal = _sub(party, RAM, "PostalTradeAddress")
    if address.postcode:
        _text(postal, RAM, "PostcodeCode", address.postcode)
    _text(postal, RAM, "LineOne", address.line1)
    if address.line2:
        _text(postal, RAM, "LineTwo", address.line2)
    _text(postal, RAM, "CityName", address.city)
    _text(postal, RAM, "CountryID", address.country)


def _sub(parent: etree._Element, ns: str, tag: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{ns}}}{tag}")


def _text(parent: etree._Element, ns: str, tag: str, value: str, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}", attributes)
    element.text = value
    return element


def _amount(parent: etree._Element, tag: str, value: Decimal, **attributes: str) -> None:
    _text(parent, RAM, tag, f"{value:.2f}", **attributes)


def _date(parent: etree._Element, value: date) -> None:
    _text(parent, UDT, "DateTimeString", value.strftime("%Y%m%d"), format="102")


def _plain(value: Decimal) -> str:
    """A quantity, price or rate without exponent nor useless zeros beyond the cents: 3, 12.5, 0.125."""
    text = format(value.normalize(), "f")
    if "." in text:
        whole, fraction = text.split(".")
        return f"{whole}.{fraction.ljust(2, '0')}"
    return text


def facturx_file_name(invoice_number: str) -> str:
    """The Factur-X PDF's file name, the same on every attempt: Chorus Pro's flow list shows it,
    which lets the bot recognise an earlier deposit of the same invoice."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in invoice_number)
    return f"{safe}.pdf"
