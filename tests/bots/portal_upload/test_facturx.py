"""The Factur-X the bot sends: EN 16931 CII XML built from the invoice data, valid against the XSD
and the Schematron run offline, embedded in a PDF/A-3; a wrong total is caught with the rule named
in words a clerk understands."""
from __future__ import annotations

import io
import re
from dataclasses import replace
from decimal import Decimal

import facturx as facturx_lib
import pytest
import requests
from lxml import etree
from pypdf import PdfReader

from bots.portal_upload.facturx_document import build_cii_xml, embed_in_pdf, read_embedded_xml
from bots.portal_upload.model import Money, PostalAddress
from bots.portal_upload.payload import InvalidPayload, job_from_payload, job_to_payload
from bots.portal_upload.validate import InvalidFacturX, schematron_breaches, validate_facturx, xsd_problem
from bots.portal_upload.vat import ZeroRateWithoutReason
from tests.support.portal_upload.samples import customer, invoice, invoice_pdf, job, lines, public_body

NS = {"rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
      "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
      "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"}
PUBLIC_JOB = job(invoice(commitment_number="EJ-2026-0042", service_code="SERV-FIN"), public_body())


@pytest.fixture(autouse=True)
def no_saxon_server(monkeypatch):
    """Validation must never post the invoice to an HTTP Saxon server (the factur-x library's way)."""
    def refuse(*args, **kwargs):
        raise AssertionError("an HTTP request was made during validation")
    monkeypatch.setattr(requests, "post", refuse)
    monkeypatch.setattr(requests.Session, "request", refuse)


def text(xml: bytes, path: str) -> list[str]:
    return [e.text for e in etree.fromstring(xml).iterfind(path, NS)]


def test_a_complete_invoice_passes_the_xsd_and_the_en16931_schematron():
    xml = build_cii_xml(PUBLIC_JOB)
    assert xsd_problem(xml) is None
    assert [b for b in schematron_breaches(xml) if b.flag != "warning"] == []
    validate_facturx(xml, "FA2026-00042")


def test_the_xml_carries_what_chorus_pro_and_the_buyer_need():
    xml = build_cii_xml(PUBLIC_JOB)
    agreement = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
    settlement = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
    assert text(xml, "rsm:ExchangedDocument/ram:ID") == ["FA2026-00042"]
    assert text(xml, f"{agreement}/ram:BuyerReference") == ["SERV-FIN"]  # BT-10
    assert text(xml, f"{agreement}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID") == ["EJ-2026-0042"]  # BT-13
    assert text(xml, f"{agreement}/ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID") == ["21630113500010"]
    assert text(xml, f"{agreement}/ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID") == ["FR32412345678"]
    assert text(xml, f"{settlement}/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount/"
                     "ram:IBANID") == ["FR7630004000031234567890143"]
    due = "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime"
    totals = "ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    assert text(xml, f"{settlement}/{due}/udt:DateTimeString") == ["20261220"]
    assert text(xml, f"{settlement}/{totals}/ram:GrandTotalAmount") == ["1622.40"]
    assert any("40 €" in note for note in text(xml, "rsm:ExchangedDocument/ram:IncludedNote/ram:Content"))


def test_a_portal_invoice_carries_the_po_number_and_the_po_line_of_each_line():
    xml = build_cii_xml(job(cust=customer(invoice_channel="portal_a", portal_supplier_id="SUP-1")))
    assert text(xml, "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/"
                     "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID") == ["PO-1001"]
    assert text(xml, ".//ram:SpecifiedLineTradeAgreement/ram:BuyerOrderReferencedDocument/ram:LineID") == ["1", "2"]


def test_a_total_that_does_not_add_up_is_refused_naming_br_co_15_in_plain_words():
    wrong = job(replace(invoice(), total_gross=Money(Decimal("1700.00"), "EUR")))
    with pytest.raises(InvalidFacturX) as caught:
        validate_facturx(build_cii_xml(wrong), "FA2026-00042")
    assert caught.value.code == "FACTURX_BR_CO_15"
    assert "BR-CO-15: the total with VAT is not the total without VAT plus the VAT" in caught.value.message
    assert "correct the invoice's totals in the ERP" in caught.value.message


def test_a_vat_total_that_does_not_match_the_lines_names_each_broken_rule():
    wrong = job(replace(invoice(), total_vat=Money(Decimal("300.00"), "EUR")))
    with pytest.raises(InvalidFacturX) as caught:
        validate_facturx(build_cii_xml(wrong), "FA2026-00042")
    assert "BR-CO-14: the VAT total does not equal the sum of the VAT per rate" in caught.value.message
    assert "BR-CO-15" in caught.value.message


def test_an_xml_that_breaks_the_schema_is_refused_with_the_element_named():
    broken = build_cii_xml(PUBLIC_JOB).replace(b"<ram:TypeCode>380</ram:TypeCode>", b"")
    with pytest.raises(InvalidFacturX, match="IssueDateTime") as caught:
        validate_facturx(broken, "FA2026-00042")
    assert caught.value.code == "FACTURX_XSD"


def test_an_intra_community_supply_at_zero_rate_is_valid():
    zero = tuple(replace(line, vat_rate=Decimal("0.00")) for line in lines())
    belgian = customer(siret=None, vat_number="BE0403170701",
                       address=PostalAddress("Rue Neuve 1", "1000", "Bruxelles", "BE"), language="fr")
    xml = build_cii_xml(job(invoice(invoice_lines=zero), belgian))
    validate_facturx(xml, "FA2026-00042")
    assert text(xml, ".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode") == ["K"]


def test_a_domestic_zero_rate_without_reason_is_a_business_exception():
    zero = tuple(replace(line, vat_rate=Decimal("0.00")) for line in lines())
    with pytest.raises(ZeroRateWithoutReason, match="0% VAT"):
        build_cii_xml(job(invoice(invoice_lines=zero)))


def test_the_pdf_becomes_a_pdfa3_carrying_the_xml():
    xml = build_cii_xml(PUBLIC_JOB)
    pdf = embed_in_pdf(invoice_pdf(PUBLIC_JOB), xml, PUBLIC_JOB)
    assert read_embedded_xml(pdf) == xml
    name, _ = facturx_lib.get_xml_from_pdf(pdf, check_xsd=True)
    assert name == "factur-x.xml"
    xmp = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")3", xmp)  # PDF/A-3
    assert "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#" in xmp


def test_the_work_item_payload_round_trips_and_names_a_bad_field():
    assert job_from_payload(job_to_payload(PUBLIC_JOB)) == PUBLIC_JOB
    payload = job_to_payload(PUBLIC_JOB)
    payload["invoice"]["lines"][1]["quantity"] = 12.0  # a float: money and quantities travel as text
    with pytest.raises(InvalidPayload, match=r"invoice\.lines\[1\]\.quantity") as caught:
        job_from_payload(payload)
    assert caught.value.code == "PAYLOAD_INVALID"
