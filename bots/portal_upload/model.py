"""The invoice, its customer and its seller as the bot works with them: frozen data filled from
the ERP export (see ``payload``), money as ``Decimal`` with its currency, dates as dates."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

INVOICE = "invoice"
CREDIT_NOTE = "credit_note"
PUBLIC_BODY = "public_body"


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"money must be a Decimal, not {type(self.amount).__name__}")
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise ValueError(f"currency must be an ISO 4217 code such as EUR, not {self.currency!r}")

    def __str__(self) -> str:
        return f"{self.amount:.2f} {self.currency}"


@dataclass(frozen=True)
class PostalAddress:
    line1: str
    postcode: str
    city: str
    country: str  # ISO 3166-1 alpha-2
    line2: str | None = None

    def lines(self) -> list[str]:
        """As printed on an envelope, country last when abroad is the caller's call."""
        return [line for line in (self.line1, self.line2, f"{self.postcode} {self.city}".strip()) if line]


@dataclass(frozen=True)
class Seller:
    """The company sending the invoices (ours)."""

    name: str
    siret: str
    vat_number: str
    iban: str
    address: PostalAddress
    email: str
    siren: str | None = None
    bic: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Customer:
    """The customer's master data in the ERP: who it is and how it wants its invoices."""

    code: str
    legal_name: str
    category: str  # large_account, sme, public_body, foreign...
    address: PostalAddress | None = None
    siret: str | None = None
    siren: str | None = None
    vat_number: str | None = None
    invoice_channel: str | None = None  # portal_a, portal_b, chorus_pro, email, letter
    portal_supplier_id: str | None = None  # our supplier id on the customer's portal
    chorus_service_code: str | None = None
    billing_email: str | None = None
    language: str = "fr"

    @property
    def is_public_body(self) -> bool:
        return self.category == PUBLIC_BODY


@dataclass(frozen=True)
class InvoiceLine:
    description: str
    quantity: Decimal
    unit_price: Decimal  # excluding VAT, in the invoice's currency
    vat_rate: Decimal  # percent, e.g. Decimal("20.00")
    unit_code: str = "C62"  # UN/ECE rec. 20: "one"
    order_line: int | None = None  # the purchase order's line number, when the buyer matches lines
    vat_category: str | None = None  # UNTDID 5305 code when the ERP states it (see ``vat``)


@dataclass(frozen=True)
class Invoice:
    """An invoice or credit note as the ERP issued it: the totals are the ERP's own, so that a
    disagreement with the lines is caught by validation rather than silently recomputed."""

    number: str
    kind: str  # INVOICE or CREDIT_NOTE
    issue_date: date
    due_date: date
    currency: str
    lines: tuple[InvoiceLine, ...]
    total_net: Money
    total_vat: Money
    total_gross: Money
    po_number: str | None = None
    commitment_number: str | None = None  # "engagement juridique" of a public buyer
    service_code: str | None = None  # the public buyer's service ("code service")
    credited_invoice: str | None = None
    delivery_date: date | None = None
    pdf_name: str = field(default="")  # the work item file holding the ERP's PDF

    def __post_init__(self) -> None:
        for total in (self.total_net, self.total_vat, self.total_gross):
            if total.currency != self.currency:
                raise ValueError(f"invoice {self.number}: a total is in {total.currency}, the invoice in "
                                 f"{self.currency}")

    @property
    def type_code(self) -> str:
        """UNTDID 1001: 380 commercial invoice, 381 credit note."""
        return "381" if self.kind == CREDIT_NOTE else "380"


@dataclass(frozen=True)
class InvoiceJob:
    """One work item's worth: the invoice, to whom, from whom."""

    invoice: Invoice
    customer: Customer
    seller: Seller
