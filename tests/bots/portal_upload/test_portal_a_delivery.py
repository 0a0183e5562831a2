"""Portal A in real Chromium: the bot signs in with its TOTP code, uploads the Factur-X PDF and
records the portal's reference; a second run finds the invoice in the list instead of uploading it
again; a portal failing one request in three still ends with exactly one submission."""
from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from bots.kit import ScreenChanged, SiteUnavailable
from bots.portal_upload.channels.web_portal import PortalRefused
from bots.portal_upload.delivery import DeliveryResult
from bots.portal_upload.statuses import PENDING, REJECTED
from tests.support.portal_upload.facturx_files import facturx_file
from tests.support.portal_upload.samples import customer, invoice, job
from tests.support.portal_upload.sites import PORTAL_A_USER, Site

pytestmark = pytest.mark.browser
PORTAL_A_CUSTOMER = customer(invoice_channel="portal_a", portal_supplier_id="SUP-4242")


def deliver(make_channels, site: Site, tmp_path: Path, job_=None, on_response=None) -> tuple[DeliveryResult, Path]:
    job_ = job_ or job(cust=PORTAL_A_CUSTOMER)
    pdf = facturx_file(job_, tmp_path / "facturx")
    with make_channels({"portal_a": site.url}, {"portal_a": PORTAL_A_USER}) as channels:  # one bot run
        driver = channels.driver("portal_a")
        if on_response is not None:
            driver.browser.page.on("response", on_response)
        return driver.deliver(job_, pdf), pdf


def test_upload_records_the_portals_reference_and_a_confirmation_screenshot(make_channels, portal_a, tmp_path):
    result, pdf = deliver(make_channels, portal_a, tmp_path)

    [submission] = portal_a.submissions()
    assert result.reference == submission["reference"] and result.reference.startswith("CPA-")
    assert not result.already_delivered and result.status.outcome == PENDING
    assert submission["invoice_number"] == "FA2026-00042" and submission["po_number"] == "PO-1001"
    assert (submission["amount_excl_tax"], submission["vat"], submission["total"]) == ("1352.00", "270.40", "1622.40")
    assert submission["pdf"]["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()  # the Factur-X sent
    [screenshot] = result.evidence
    assert screenshot.exists() and screenshot.read_bytes().startswith(b"\x89PNG")


def test_a_second_run_finds_the_invoice_and_does_not_submit_it_again(make_channels, portal_a, tmp_path):
    first, _ = deliver(make_channels, portal_a, tmp_path)
    second, _ = deliver(make_channels, portal_a, tmp_path)

    assert second.already_delivered and second.reference == first.reference
    assert len(portal_a.submissions()) == 1


def test_a_portal_failing_one_request_in_three_still_gets_exactly_one_submission(make_channels, portal_a, tmp_path):
    portal_a.faults(fail_one_in=3)
    errors = []
    result, _ = deliver(make_channels, portal_a, tmp_path,
                        on_response=lambda r: errors.append(r.request.method) if r.status == 500 else None)

    portal_a.faults()
    assert "GET" in errors and "POST" in errors  # pages were reloaded, and a submit failed and was checked
    [submission] = portal_a.submissions()
    assert result.reference == submission["reference"]


def test_the_buyers_rejection_shows_in_the_status(make_channels, portal_a, tmp_path):
    job_ = job(invoice(po_number="PO-9999"), PORTAL_A_CUSTOMER)  # unknown PO: the buyer will reject it
    result, _ = deliver(make_channels, portal_a, tmp_path, job_)
    portal_a.advance(2 * 3600)

    with make_channels({"portal_a": portal_a.url}, {"portal_a": PORTAL_A_USER}) as channels:
        followed = channels.driver("portal_a").follow(job_, result)
    assert followed.status.outcome == REJECTED and followed.status.reason == "PO number not found"


def test_a_refusal_by_the_form_is_a_business_exception_in_the_portals_words(make_channels, portal_a, tmp_path):
    tomorrow = job(invoice(issue_date=date(2026, 11, 26), due_date=date(2026, 12, 26)), PORTAL_A_CUSTOMER)
    with pytest.raises(PortalRefused, match="Invoice date cannot be in the future"):
        deliver(make_channels, portal_a, tmp_path, tomorrow)  # the portal's clock says 25 November
    assert portal_a.submissions() == []


def test_a_renamed_button_is_a_clear_escalation_with_a_screenshot(make_channels, portal_a, tmp_path):
    portal_a.faults(labels={"submit_invoice": "Send to NorthBuy"})
    channels = make_channels({"portal_a": portal_a.url}, {"portal_a": PORTAL_A_USER})
    job_ = job(cust=PORTAL_A_CUSTOMER)
    pdf = facturx_file(job_, tmp_path / "facturx")
    driver = channels.driver("portal_a")
    with pytest.raises(ScreenChanged, match="Submit invoice") as caught:
        with channels.evidence(job_.invoice.number, driver):
            driver.deliver(job_, pdf)
    assert caught.value.code == "SCREEN_CHANGED"
    [failure] = driver.browser.failures
    assert failure.screenshot.exists() and failure.trace.exists()
    assert portal_a.submissions() == []


def test_a_portal_that_is_down_is_an_application_exception_to_retry_later(make_channels, portal_a, tmp_path):
    portal_a.faults(down=True)
    with pytest.raises(SiteUnavailable) as caught:
        deliver(make_channels, portal_a, tmp_path)
    assert caught.value.code == "PORTAL_UNAVAILABLE" and "503" in caught.value.message
    portal_a.faults()
    assert portal_a.submissions() == []
