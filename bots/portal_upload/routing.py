"""Which channel an invoice goes through, decided from the customer's master data alone (pure):

1. a public body → Chorus Pro (by law); it needs the buyer's SIRET, and the service code and
   commitment number when Chorus Pro's directory says the buyer requires them;
2. a customer whose invoice channel is a supplier portal listed in ``PORTALS`` → that portal; it
   needs our supplier id on the portal and the customer's PO number;
3. otherwise e-mail to the billing address when the customer asked for e-mail or did not say;
4. otherwise a printed letter to the customer's postal address.

A missing detail is a business exception naming the ERP field to fill in (its label on the ERP's
customer or invoice screen), since no retry can invent it. Adding a portal is one entry in
``PORTALS`` here plus its page objects and flow (see ``drivers``).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from robocorp.workitems import BusinessException

from bots.portal_upload.model import CREDIT_NOTE, Customer, InvoiceJob

CHORUS_PRO = "chorus_pro"
EMAIL = "email"
LETTER = "letter"


@dataclass(frozen=True)
class PortalEntry:
    """What a customer's supplier portal needs before the bot can upload to it."""

    name: str  # as a clerk knows the portal
    needs_po_number: bool = True
    takes_credit_notes: bool = False  # the bot has a credit-note flow for this portal


PORTALS: dict[str, PortalEntry] = {
    "portal_a": PortalEntry("NorthBuy Supplier Portal (portal A)"),
    "portal_b": PortalEntry("Arbor Supplier Network (portal B)"),
}


@dataclass(frozen=True)
class ChorusBuyer:
    """What Chorus Pro's directory says of a public buyer (``structures/consulter``)."""

    structure_id: int
    service_code_required: bool
    commitment_required: bool
    active_services: frozenset[str]


@dataclass(frozen=True)
class Route:
    channel: str  # chorus_pro, email, letter or a key of PORTALS
    recipient: str  # who receives it there: a SIRET, a portal supplier id, an e-mail, a town
    service_code: str | None = None  # BT-10, for Chorus Pro


class MissingMasterData(BusinessException):
    """A field the channel needs is empty in the ERP."""

    def __init__(self, field: str, screen: str, owner: str, why: str) -> None:
        self.field = field
        code = "MISSING_" + "".join(c if c.isalnum() else "_" for c in field.upper()).strip("_")
        super().__init__(message=f"Fill in «{field}» on the ERP {screen} of {owner}: {why}. Then retry the item.",
                         code=code)


class NotDeliverable(BusinessException):
    """The master data asks for something the channel cannot do."""


def route(job: InvoiceJob, chorus_buyer: ChorusBuyer | None = None) -> Route:
    """The channel for ``job``. ``chorus_buyer`` is the directory entry of a public buyer when the
    bot could look it up; without it only the SIRET is checked here (Chorus Pro checks the rest)."""
    customer, invoice = job.customer, job.invoice
    owner = f"customer {customer.code} ({customer.legal_name})"
    if customer.is_public_body or customer.invoice_channel == CHORUS_PRO:
        return _chorus_pro(job, chorus_buyer, owner)
    portal = PORTALS.get(customer.invoice_channel or "")
    if portal is not None:
        if not customer.portal_supplier_id:
            raise MissingMasterData("Portal supplier id", "customer record", owner,
                                    f"{customer.legal_name} wants its invoices on {portal.name}, which knows us by "
                                    "our supplier id there")
        if portal.needs_po_number and not invoice.po_number:
            raise MissingMasterData("PO number", f"invoice {invoice.number}", owner,
                                    f"{portal.name} only takes invoices against the customer's purchase order")
        if invoice.kind == CREDIT_NOTE and not portal.takes_credit_notes:
            raise NotDeliverable(message=f"Credit note {invoice.number} must be entered on {portal.name} by hand: "
                                         "the bot uploads invoices only there.", code="CREDIT_NOTE_ON_PORTAL")
        return Route(customer.invoice_channel or "", customer.portal_supplier_id)
    if customer.invoice_channel in (None, "", EMAIL):
        if customer.billing_email:
            return Route(EMAIL, customer.billing_email)
        if customer.invoice_channel == EMAIL:
            raise MissingMasterData("Billing e-mail", "customer record", owner,
                                    "the customer's invoice channel is e-mail but no billing address is recorded")
    if customer.invoice_channel not in (None, "", EMAIL, LETTER):
        raise NotDeliverable(message=f"The invoice channel «{customer.invoice_channel}» of {owner} is not one the bot "
                                     f"knows ({', '.join([CHORUS_PRO, *PORTALS, EMAIL, LETTER])}): correct it in "
                                     "the ERP customer record.", code="UNKNOWN_CHANNEL")
    if not _has_postal_address(customer):
        raise MissingMasterData("Address", "customer record", owner,
                                "the invoice goes by post and the postal address (street, postcode, city, "
                                "country) is incomplete")
    return Route(LETTER, f"{customer.address.postcode} {customer.address.city}".strip())


def with_route(job: InvoiceJob, chosen: Route) -> InvoiceJob:
    """The job as it will be sent: a public buyer's service code from the customer record goes
    into the invoice (BT-10) when the invoice itself had none."""
    if chosen.channel == CHORUS_PRO and chosen.service_code and not job.invoice.service_code:
        return replace(job, invoice=replace(job.invoice, service_code=chosen.service_code))
    return job


def _chorus_pro(job: InvoiceJob, buyer: ChorusBuyer | None, owner: str) -> Route:
    customer, invoice = job.customer, job.invoice
    if not customer.siret or len(customer.siret) != 14 or not customer.siret.isdigit():
        raise MissingMasterData("SIRET", "customer record", owner,
                                "Chorus Pro finds a public buyer by its 14-digit SIRET")
    service_code = invoice.service_code or customer.chorus_service_code
    if buyer is not None:
        if buyer.service_code_required and not service_code:
            raise MissingMasterData("Chorus Pro service code", "customer record", owner,
                                    "this public buyer requires the service code of the department that ordered "
                                    f"(active codes on Chorus Pro: {_listed(buyer.active_services)})")
        if service_code and service_code not in buyer.active_services:
            raise NotDeliverable(message=f"The Chorus Pro service code «{service_code}» of {owner} is not an active "
                                         f"service of this buyer on Chorus Pro (active: "
                                         f"{_listed(buyer.active_services)}): correct «Chorus Pro service code» in "
                                         "the ERP customer record.", code="SERVICE_CODE_UNKNOWN")
        if buyer.commitment_required and not invoice.commitment_number:
            raise MissingMasterData("Commitment number", f"invoice {invoice.number}", owner,
                                    "this public buyer requires its legal commitment number (engagement juridique) "
                                    "on every invoice; it is on the buyer's order form")
    return Route(CHORUS_PRO, customer.siret, service_code)


def _has_postal_address(customer: Customer) -> bool:
    address = customer.address
    return bool(address and address.line1 and address.postcode and address.city and address.country)


def _listed(codes: frozenset[str]) -> str:
    return ", ".join(sorted(codes)) or "none"
