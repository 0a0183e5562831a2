"""Portal B in real Chromium: the four-step wizard ends with the portal's document number; a
second run finds the invoice in the list instead; a portal that logs the bot out in the middle of
the wizard still ends with exactly one submission; a total the portal computes differently from
the invoice stops the bot before it submits."""
from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bots.portal_upload.channels.web_portal import PortalRefused
from bots.portal_upload.delivery import DeliveryResult
from bots.portal_upload.model import InvoiceLine
from tests.support.portal_upload.facturx_files import facturx_file
from tests.support.portal_upload.samples import customer, invoice, job
from tests.support.portal_upload.sites import PORTAL_B_USER, Site

pytestmark = pytest.mark.browser
PORTAL_B_CUSTOMER = customer(invoice_channel="portal_b", portal_supplier_id="AN0123456789", language="en")


def deliver(make_channels, site: Site, tmp_path: Path, job_=None, on_request=None) -> tuple[DeliveryResult, Path]:
    job_ = job_ or job(cust=PORTAL_B_CUSTOMER)
    pdf = facturx_file(job_, tmp_path / "facturx")
    with make_channels({"portal_b": site.url}, {"portal_b": PORTAL_B_USER}) as channels:
        driver = channels.driver("portal_b")
        if on_request is not None:
            driver.browser.page.on("request", on_request)
        return driver.deliver(job_, pdf), pdf


def test_the_wizard_ends_with_the_portals_document_number(make_channels, portal_b, tmp_path):
    result, pdf = deliver(make_channels, portal_b, tmp_path)

    [submission] = portal_b.submissions()
    assert result.reference == submission["reference"] and result.reference.startswith("AR-DOC-")
    assert [(line["line_no"], line["quantity"]) for line in submission["lines"]] == [(1, "1"), (2, "12")]
    assert submission["total"] == "1622.40"
    assert submission["pdf"]["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert result.evidence[0].name.endswith("confirmation.png")


def test_a_second_run_records_the_existing_document_number(make_channels, portal_b, tmp_path):
    first, _ = deliver(make_channels, portal_b, tmp_path)
    second, _ = deliver(make_channels, portal_b, tmp_path)

    assert second.already_delivered and second.reference == first.reference
    assert len(portal_b.submissions()) == 1


def test_logged_out_in_the_middle_of_the_wizard_still_one_submission(make_channels, portal_b, tmp_path):
    portal_b.faults(session_max_age_s=60)
    logged_out = []

    def log_out_once(request) -> None:  # while the PDF is being attached: the session ends
        if not logged_out and request.method == "POST" and urlsplit(request.url).path == "/invoice/create/attachment":
            logged_out.append(request.url)
            portal_b.advance(61)

    result, _ = deliver(make_channels, portal_b, tmp_path, on_request=log_out_once)

    assert logged_out
    [submission] = portal_b.submissions()
    assert result.reference == submission["reference"] and not result.already_delivered


def test_a_total_the_portal_computes_otherwise_is_refused_before_submitting(make_channels, portal_b, tmp_path):
    dearer = (InvoiceLine("Maintenance préventive - novembre", Decimal("1"), Decimal("1300.00"), Decimal("20.00"),
                          order_line=1),)
    with pytest.raises(PortalRefused, match="computes a total of 1500.00 EUR"):
        deliver(make_channels, portal_b, tmp_path, job(invoice(invoice_lines=dearer), PORTAL_B_CUSTOMER))
    assert portal_b.submissions() == []
