"""What every web-portal channel shares (customer portals A and B, Chorus Pro's portal): a portal's
flow — its screens put together: sign in, find, submit, show — driven by the "never twice" rule:

1. look for the invoice number in the portal's list first — a previous attempt may have crashed
   after submitting: if it is there, record the existing reference and stop;
2. otherwise submit it once; a confirmation gives the reference;
3. a duplicate message, a server error or being signed out during the submit never leads to a
   blind second submit: the next round starts again at step 1, which finds what got through.

Server errors on steps that change nothing (opening a list, signing in) are simply tried again
(``bots.kit.signed_in_step``). ``WebPortalDriver`` makes a flow a channel driver.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Protocol

from robocorp.workitems import BusinessException

from bots.kit import (
    BrowserSession,
    Settings,
    SignedOut,
    SiteError,
    SiteUnavailable,
    safe_file_name,
    signed_in_step,
    site_problems,
)
from bots.portal_upload.delivery import DeliveryResult
from bots.portal_upload.model import InvoiceJob
from bots.portal_upload.statuses import PENDING, StatusUpdate

MAX_ROUNDS = 5


@dataclass(frozen=True)
class Listed:
    """An invoice as a portal's list shows it."""

    invoice_number: str
    reference: str
    status: StatusUpdate


@dataclass(frozen=True)
class Submitted:
    reference: str


@dataclass(frozen=True)
class AlreadySubmitted:
    """The portal refused the upload as a duplicate of an invoice it has."""

    message: str


class PortalFlow(Protocol):
    """A portal's screens put together (a ``bots.kit.SignsIn``); each method may raise ``SiteError``
    or ``SignedOut``."""

    channel: str
    site_name: str

    def sign_in(self) -> None: ...

    def find(self, invoice_number: str) -> Listed | None:
        """Search the portal's list of our invoices for exactly this number."""

    def submit(self, job: InvoiceJob, facturx_pdf: Path) -> Submitted | AlreadySubmitted:
        """Upload once; a refusal other than a duplicate is a ``PortalRefused``."""

    def show(self, listed: Listed) -> None:
        """Open the invoice's page (for the evidence screenshot)."""

    def rejection(self, invoice_number: str) -> str | None:
        """Why the portal turned the invoice away before listing it, if it says so anywhere
        (Chorus Pro's "Suivi des flux"); None when it does not."""


class PortalRefused(BusinessException):
    """The portal would not take the invoice; the message carries the portal's own words."""

    def __init__(self, portal: str, invoice_number: str, reasons: Sequence[str]) -> None:
        super().__init__(message=f"{portal} refused invoice {invoice_number}: {'; '.join(reasons)}",
                         code="PORTAL_REFUSED")


def deliver_on_portal(flow: PortalFlow, browser: BrowserSession, job: InvoiceJob, facturx_pdf: Path,
                      evidence_dir: Path, delays: Sequence[float]) -> DeliveryResult:
    """The never-twice delivery described in the module's docstring."""
    number = job.invoice.number
    refused_as_duplicate: str | None = None
    tried_to_submit = False  # a submit that failed half-way may have got through
    with site_problems(flow.site_name):
        for _round in range(MAX_ROUNDS):
            listed = signed_in_step(flow, lambda: flow.find(number), delays)
            if listed is not None:
                signed_in_step(flow, partial(flow.show, listed), delays)
                shot = browser.screenshot(evidence_dir / f"{safe_file_name(number)}-{flow.channel}-found.png")
                return DeliveryResult(flow.channel, listed.reference, listed.status,
                                      already_delivered=not tried_to_submit, evidence=(shot,))
            if refused_as_duplicate is not None:
                raise PortalRefused(flow.site_name, number, [
                    refused_as_duplicate, "yet the invoice is not in our list on the portal: another supplier "
                    "account may have submitted it; check on the portal"])
            tried_to_submit = True
            try:
                outcome = flow.submit(job, facturx_pdf)
            except (SiteError, SignedOut):
                continue  # did it get through? the next round's search tells
            if isinstance(outcome, AlreadySubmitted):
                refused_as_duplicate = outcome.message
                continue
            shot = browser.screenshot(evidence_dir / f"{safe_file_name(number)}-{flow.channel}-confirmation.png")
            return DeliveryResult(flow.channel, outcome.reference, StatusUpdate("submitted", PENDING), evidence=(shot,))
    raise SiteUnavailable(flow.site_name, f"invoice {number} could not be submitted in {MAX_ROUNDS} rounds")


def follow_on_portal(flow: PortalFlow, delivered: DeliveryResult, invoice_number: str,
                     delays: Sequence[float]) -> DeliveryResult:
    """The invoice's current status in the portal's list."""
    with site_problems(flow.site_name):
        listed = signed_in_step(flow, lambda: flow.find(invoice_number), delays)
        rejected = None if listed is not None else signed_in_step(flow, lambda: flow.rejection(invoice_number), delays)
    if rejected:
        raise BusinessException(message=f"{flow.site_name} rejected invoice {invoice_number} (reference "
                                        f"{delivered.reference}): {rejected}", code="PORTAL_REJECTED")
    if listed is None:
        raise BusinessException(message=f"Invoice {invoice_number} (reference {delivered.reference}) is no longer "
                                        f"in our list on {flow.site_name}: check on the portal.",
                                code="PORTAL_INVOICE_MISSING")
    return DeliveryResult(delivered.channel, listed.reference, listed.status, delivered.already_delivered,
                          delivered.evidence, delivered.details)


class WebPortalDriver:
    """A customer portal (or Chorus Pro's portal) driven through its flow in its own browser session."""

    def __init__(self, flow: PortalFlow, browser: BrowserSession, evidence_dir: Path, settings: Settings) -> None:
        self.channel = flow.channel
        self.flow, self.browser, self.evidence_dir, self.settings = flow, browser, evidence_dir, settings

    def deliver(self, job: InvoiceJob, facturx_pdf: Path) -> DeliveryResult:
        return deliver_on_portal(self.flow, self.browser, job, facturx_pdf, self.evidence_dir,
                                 self.settings.retry_delays_s)

    def follow(self, job: InvoiceJob, delivered: DeliveryResult) -> DeliveryResult:
        return follow_on_portal(self.flow, delivered, job.invoice.number, self.settings.retry_delays_s)
