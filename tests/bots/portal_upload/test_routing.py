"""The channel decision, rule by rule, without any system: public bodies go to Chorus Pro, portal
customers to their portal, the rest by e-mail or letter — and a missing detail names the ERP field
to fill in."""
from __future__ import annotations

import pytest
from robocorp.workitems import BusinessException

from bots.portal_upload import routing
from bots.portal_upload.model import CREDIT_NOTE, PostalAddress
from bots.portal_upload.routing import (
    CHORUS_PRO,
    EMAIL,
    LETTER,
    ChorusBuyer,
    MissingMasterData,
    NotDeliverable,
    PortalEntry,
    Route,
    route,
    with_route,
)
from tests.support.portal_upload.samples import PUBLIC_BUYER_SIRET, customer, invoice, job, public_body

DEMANDING_BUYER = ChorusBuyer(7, service_code_required=True, commitment_required=True,
                              active_services=frozenset({"SERV-FIN", "DIR-PAT-57"}))
EASY_BUYER = ChorusBuyer(8, service_code_required=False, commitment_required=False, active_services=frozenset())


def missing(job_, buyer=None) -> MissingMasterData:
    with pytest.raises(MissingMasterData) as caught:
        route(job_, buyer)
    assert isinstance(caught.value, BusinessException)  # no retry: a person must fill the field in
    return caught.value


def test_a_public_body_goes_to_chorus_pro_by_its_siret_with_its_service_code():
    chosen = route(job(invoice(commitment_number="EJ-1"), public_body()), DEMANDING_BUYER)
    assert chosen == Route(CHORUS_PRO, PUBLIC_BUYER_SIRET, "SERV-FIN")


def test_a_public_body_goes_to_chorus_pro_whatever_channel_the_record_says():
    assert route(job(cust=public_body(invoice_channel="email", billing_email="x@y.fr"))).channel == CHORUS_PRO


def test_the_customer_service_code_goes_into_the_invoice_as_buyer_reference():
    job_ = job(invoice(commitment_number="EJ-1"), public_body())
    assert with_route(job_, route(job_, DEMANDING_BUYER)).invoice.service_code == "SERV-FIN"
    own = job(invoice(commitment_number="EJ-1", service_code="DIR-PAT-57"), public_body())
    assert with_route(own, route(own, DEMANDING_BUYER)).invoice.service_code == "DIR-PAT-57"


def test_a_public_body_without_siret_names_the_siret_field():
    error = missing(job(cust=public_body(siret=None)))
    assert error.code == "MISSING_SIRET" and "«SIRET»" in error.message and "C0900" in error.message


def test_a_buyer_requiring_a_service_code_names_the_service_code_field():
    error = missing(job(invoice(commitment_number="EJ-1"), public_body(chorus_service_code=None)), DEMANDING_BUYER)
    assert error.code == "MISSING_CHORUS_PRO_SERVICE_CODE"
    assert "«Chorus Pro service code»" in error.message and "DIR-PAT-57, SERV-FIN" in error.message


def test_a_service_code_the_buyer_does_not_have_is_refused():
    with pytest.raises(NotDeliverable, match="«OLD-SERVICE»") as caught:
        route(job(invoice(commitment_number="EJ-1"), public_body(chorus_service_code="OLD-SERVICE")), DEMANDING_BUYER)
    assert caught.value.code == "SERVICE_CODE_UNKNOWN"


def test_a_buyer_requiring_a_commitment_number_names_the_invoice_field():
    error = missing(job(invoice(), public_body()), DEMANDING_BUYER)
    assert error.code == "MISSING_COMMITMENT_NUMBER" and "FA2026-00042" in error.message


def test_a_buyer_without_requirements_takes_an_invoice_without_them():
    assert route(job(invoice(), public_body(chorus_service_code=None)), EASY_BUYER).channel == CHORUS_PRO


@pytest.mark.parametrize("portal", ["portal_a", "portal_b"])
def test_a_portal_customer_goes_to_its_portal_under_our_supplier_id(portal):
    chosen = route(job(cust=customer(invoice_channel=portal, portal_supplier_id="SUP-4242")))
    assert chosen == Route(portal, "SUP-4242")


def test_a_portal_customer_without_supplier_id_names_the_field():
    error = missing(job(cust=customer(invoice_channel="portal_a", portal_supplier_id=None)))
    assert error.code == "MISSING_PORTAL_SUPPLIER_ID" and "«Portal supplier id»" in error.message


def test_a_portal_invoice_without_po_number_names_the_field():
    error = missing(job(invoice(po_number=None), customer(invoice_channel="portal_b", portal_supplier_id="AN1")))
    assert error.code == "MISSING_PO_NUMBER" and "«PO number»" in error.message


def test_a_credit_note_is_not_uploaded_to_a_portal_by_the_bot():
    with pytest.raises(NotDeliverable) as caught:
        route(job(invoice(kind=CREDIT_NOTE), customer(invoice_channel="portal_a", portal_supplier_id="SUP-1")))
    assert caught.value.code == "CREDIT_NOTE_ON_PORTAL"


def test_an_email_customer_gets_an_email():
    assert route(job(cust=customer(invoice_channel="email"))) == Route(EMAIL, "factures@garnier.example")


def test_an_email_customer_without_billing_address_names_the_field():
    error = missing(job(cust=customer(invoice_channel="email", billing_email=None)))
    assert error.code == "MISSING_BILLING_E_MAIL" and "«Billing e-mail»" in error.message


def test_without_a_stated_channel_email_comes_first_then_letter():
    assert route(job(cust=customer(invoice_channel=None))).channel == EMAIL
    assert route(job(cust=customer(invoice_channel=None, billing_email=None))) == Route(LETTER, "69007 Lyon")


def test_a_letter_customer_gets_a_letter_even_with_an_email_address():
    assert route(job(cust=customer(invoice_channel="letter"))).channel == LETTER


def test_a_letter_without_a_complete_postal_address_names_the_address_field():
    error = missing(job(cust=customer(invoice_channel="letter", address=None)))
    assert error.code == "MISSING_ADDRESS"
    error = missing(job(cust=customer(invoice_channel=None, billing_email=None,
                                      address=PostalAddress("1 rue X", "", "Lyon", "FR"))))
    assert "«Address»" in error.message


def test_an_unknown_channel_is_refused_with_the_known_ones():
    with pytest.raises(NotDeliverable, match="portal_a, portal_b") as caught:
        route(job(cust=customer(invoice_channel="fax")))
    assert caught.value.code == "UNKNOWN_CHANNEL"


def test_a_third_portal_is_one_routing_entry(monkeypatch):
    monkeypatch.setitem(routing.PORTALS, "portal_c", PortalEntry("Third portal", needs_po_number=False))
    assert route(job(invoice(po_number=None), customer(invoice_channel="portal_c", portal_supplier_id="V-9"))) == \
        Route("portal_c", "V-9")
