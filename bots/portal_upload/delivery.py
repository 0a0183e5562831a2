"""Delivering an invoice once and only once, with proof.

Every channel's driver returns a :class:`DeliveryResult` (the reference the receiving system gave,
its status, whether a previous attempt had already delivered it, the evidence files). For the web
portals, :func:`deliver_on_portal` is the "never twice" rule common to all of them:

1. look for the invoice number in the portal's list first — a previous attempt may have crashed
   after submitting: if it is there, record the existing reference and stop;
2. otherwise submit it once; a confirmation gives the reference;
3. a duplicate message, a server error or being signed out during the submit never leads to a
   blind second submit: the next round starts again at step 1, which finds what got through.

Server errors on steps that change nothing (opening a list, signing in) are simply tried again.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from robocorp.workitems import ApplicationException, BusinessException

from bots.kit.browser import BrowserSession
from bots.kit.retry import retry_call
from bots.kit.web_errors import SignedOut, SiteError, UnexpectedScreen, what_never_came
from bots.portal_upload.model import InvoiceJob
from bots.portal_upload.statuses import PENDING, StatusUpdate

T = TypeVar("T")
MAX_ROUNDS = 5


@dataclass(frozen=True)
class DeliveryResult:
    channel: str
    reference: str  # what the receiving side calls it: submission reference, flow number, Message-ID…
    status: StatusUpdate
    already_delivered: bool = False  # found delivered by an earlier attempt, not sent now
    evidence: tuple[Path, ...] = ()  # confirmation screenshot, deposit receipt…
    details: dict[str, Any] = field(default_factory=dict)

    def to_payload(self) -> dict[str, Any]:
        """As kept on the work item (JSON)."""
        return {"channel": self.channel, "reference": self.reference, "status": asdict(self.status),
                "final": self.status.final, "already_delivered": self.already_delivered,
                "evidence": [p.name for p in self.evidence], "details": self.details}

    @classmethod
    def from_payload(cls, raw: dict[str, Any]) -> DeliveryResult:
        return cls(raw["channel"], raw["reference"], StatusUpdate(**raw["status"]),
                   bool(raw.get("already_delivered")), (), dict(raw.get("details") or {}))


class Driver(Protocol):
    """One channel's way of delivering an invoice and of reading its status afterwards."""

    channel: str

    def deliver(self, job: InvoiceJob, facturx_pdf: Path) -> DeliveryResult: ...

    def follow(self, job: InvoiceJob, delivered: DeliveryResult) -> DeliveryResult: ...


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


class SignsIn(Protocol):
    portal_name: str

    def sign_in(self) -> None: ...


class PortalFlow(Protocol):
    """A portal's screens put together; each method may raise ``SiteError`` or ``SignedOut``."""

    channel: str
    portal_name: str

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


class PortalUnavailable(ApplicationException):
    def __init__(self, portal: str, detail: str) -> None:
        super().__init__(message=f"{portal} is not answering properly: {detail}. The item will be tried again.",
                         code="PORTAL_UNAVAILABLE")


class ScreenChanged(ApplicationException):
    def __init__(self, portal: str, detail: str) -> None:
        super().__init__(message=f"{portal} does not show what the bot expects ({detail}). The site may have "
                                 "changed: see the screenshot and trace kept with this failure.",
                         code="SCREEN_CHANGED")


def deliver_on_portal(flow: PortalFlow, browser: BrowserSession, job: InvoiceJob, facturx_pdf: Path,
                      evidence_dir: Path, delays: Sequence[float]) -> DeliveryResult:
    """The never-twice delivery described in the module's docstring."""
    number = job.invoice.number
    refused_as_duplicate: str | None = None
    tried_to_submit = False  # a submit that failed half-way may have got through
    with site_problems(flow.portal_name):
        for _round in range(MAX_ROUNDS):
            listed = signed_in_step(flow, lambda: flow.find(number), delays)
            if listed is not None:
                signed_in_step(flow, partial(flow.show, listed), delays)
                shot = browser.screenshot(evidence_dir / f"{_safe(number)}-{flow.channel}-found.png")
                return DeliveryResult(flow.channel, listed.reference, listed.status,
                                      already_delivered=not tried_to_submit, evidence=(shot,))
            if refused_as_duplicate is not None:
                raise PortalRefused(flow.portal_name, number, [
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
            shot = browser.screenshot(evidence_dir / f"{_safe(number)}-{flow.channel}-confirmation.png")
            return DeliveryResult(flow.channel, outcome.reference, StatusUpdate("submitted", PENDING), evidence=(shot,))
    raise PortalUnavailable(flow.portal_name, f"invoice {number} could not be submitted in {MAX_ROUNDS} rounds")


def follow_on_portal(flow: PortalFlow, delivered: DeliveryResult, invoice_number: str,
                     delays: Sequence[float]) -> DeliveryResult:
    """The invoice's current status in the portal's list."""
    with site_problems(flow.portal_name):
        listed = signed_in_step(flow, lambda: flow.find(invoice_number), delays)
        rejected = None if listed is not None else signed_in_step(flow, lambda: flow.rejection(invoice_number), delays)
    if rejected:
        raise BusinessException(message=f"{flow.portal_name} rejected invoice {invoice_number} (reference "
                                        f"{delivered.reference}): {rejected}", code="PORTAL_REJECTED")
    if listed is None:
        raise BusinessException(message=f"Invoice {invoice_number} (reference {delivered.reference}) is no longer "
                                        f"in our list on {flow.portal_name}: check on the portal.",
                                code="PORTAL_INVOICE_MISSING")
    return DeliveryResult(delivered.channel, listed.reference, listed.status, delivered.already_delivered,
                          delivered.evidence, delivered.details)


def write_receipt(path: Path, content: dict[str, Any]) -> Path:
    """A JSON receipt kept as evidence (API answers have no screen to photograph)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    return path


def signed_in_step(flow: SignsIn, action: Callable[[], T], delays: Sequence[float]) -> T:
    """``action``, signing in again when the site sent the bot back to its sign-in page, and
    trying again after a server error; for steps that change nothing on the site."""
    def attempt() -> T:
        try:
            return action()
        except SignedOut:
            flow.sign_in()
            return action()
    try:
        return retry_call(attempt, retry_on=(SiteError, SignedOut), delays=delays, what=flow.portal_name)
    except SiteError as exc:
        raise PortalUnavailable(flow.portal_name, str(exc)) from exc
    except SignedOut as exc:
        raise PortalUnavailable(flow.portal_name, "it keeps ending the bot's session") from exc


@contextmanager
def site_problems(portal: str) -> Iterator[None]:
    """Turns "the element never came" into a clear escalation instead of a raw Playwright error."""
    try:
        yield
    except PlaywrightTimeoutError as exc:
        raise ScreenChanged(portal, what_never_came(str(exc))) from exc
    except UnexpectedScreen as exc:
        raise ScreenChanged(portal, str(exc)) from exc


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)
