"""The Factur-X invoices the Chorus Pro tests deposit (tests/support/facturx_invoices.py) are what
the factur-x library accepts: valid EN 16931 XML embedded in the PDF, and a broken XML kept as is
for the rejection tests."""
from __future__ import annotations

import facturx

from tests.support.facturx_invoices import cii_xml, facturx_pdf, invoice


def test_the_generated_invoice_is_valid_en16931_facturx():
    pdf = facturx_pdf(invoice(number="F-CHECK-1"))
    name, xml = facturx.get_xml_from_pdf(pdf, check_xsd=True)
    assert name == "factur-x.xml"
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert b"<ram:ID>F-CHECK-1</ram:ID>" in xml
    assert b"<ram:GrandTotalAmount>1622.40</ram:GrandTotalAmount>" in xml  # (1250 + 12 x 8.50) x 1.2


def test_a_broken_xml_can_still_be_embedded_for_rejection_tests():
    broken = cii_xml(invoice()).replace(b"<ram:TypeCode>380</ram:TypeCode>", b"")
    _, xml = facturx.get_xml_from_pdf(facturx_pdf(xml=broken), check_xsd=False)
    assert xml == broken
