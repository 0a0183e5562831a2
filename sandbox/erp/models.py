"""The ERP's tables: users, customers (with IBANs and notes), invoices and credit notes with their
lines, promises to pay, and posted payments with their allocations and write-offs.

An open item's residual is never stored: it is the document's signed total minus what payments
allocated to it, so it cannot drift from the postings.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from sandbox.app_db import UtcDateTime
from sandbox.erp.column_types import Money, Quantity

CATEGORIES = {
    "large_account": "Large account",
    "sme": "SME",
    "public_body": "Public body",
    "foreign": "Foreign",
}
CHANNELS = {
    "portal_a": "Supplier portal A",
    "portal_b": "Supplier portal B",
    "chorus_pro": "Chorus Pro",
    "email": "E-mail",
    "letter": "Letter",
}
PORTAL_CHANNELS = ("portal_a", "portal_b")
LANGUAGES = {"fr": "French", "en": "English"}
WRITE_OFF_REASONS = {
    "bank_fees": "Bank fees",
    "early_payment_discount": "Early-payment discount",
    "short_payment": "Short payment",
}
DISPUTE_REASONS = {
    "price": "Price disagreement",
    "quantity": "Quantity disagreement",
    "quality": "Quality problem",
    "not_received": "Goods or service not received",
    "duplicate": "Duplicate invoice",
    "other": "Other",
}


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200))


class Company(Base):
    """The company whose books these are: the seller on every invoice."""

    __tablename__ = "company"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    siren: Mapped[str] = mapped_column(String(9))
    siret: Mapped[str] = mapped_column(String(14))
    vat_number: Mapped[str] = mapped_column(String(20))
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str] = mapped_column(String(11))
    address_line1: Mapped[str] = mapped_column(String(200))
    address_line2: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    email: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40))


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))
    siren: Mapped[str | None] = mapped_column(String(9))
    siret: Mapped[str | None] = mapped_column(String(14))
    vat_number: Mapped[str | None] = mapped_column(String(20))
    address_line1: Mapped[str] = mapped_column(String(200))
    address_line2: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    payment_terms_days: Mapped[int]
    payment_terms_end_of_month: Mapped[bool] = mapped_column(Boolean, default=False)
    credit_limit: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    invoice_channel: Mapped[str] = mapped_column(String(20))
    portal_supplier_id: Mapped[str | None] = mapped_column(String(60))
    chorus_service_code: Mapped[str | None] = mapped_column(String(60))
    billing_email: Mapped[str | None] = mapped_column(String(200))
    dunning_contact_name: Mapped[str] = mapped_column(String(200), default="")
    dunning_contact_email: Mapped[str] = mapped_column(String(200), default="")
    dunning_contact_phone: Mapped[str] = mapped_column(String(40), default="")
    dunning_language: Mapped[str] = mapped_column(String(2), default="fr")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))

    parent: Mapped[Customer | None] = relationship(remote_side=[id])
    ibans: Mapped[list[CustomerIban]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="CustomerIban.id"
    )
    notes: Mapped[list[CustomerNote]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="CustomerNote.created_at.desc()"
    )

    @property
    def payment_terms_label(self) -> str:
        suffix = " end of month" if self.payment_terms_end_of_month else " net"
        return f"{self.payment_terms_days} days{suffix}"


class CustomerIban(Base):
    __tablename__ = "customer_ibans"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    iban: Mapped[str] = mapped_column(String(34))

    customer: Mapped[Customer] = relationship(back_populates="ibans")


class CustomerNote(Base):
    __tablename__ = "customer_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    author: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)

    customer: Mapped[Customer] = relationship(back_populates="notes")


class Invoice(Base):
    """An invoice or a credit note. Totals are positive on the document; `signed_total` is what the
    customer's account moves by (negative for a credit note)."""

    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # "invoice" or "credit_note"
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    issue_date: Mapped[date] = mapped_column(Date, index=True)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    currency: Mapped[str] = mapped_column(String(3))
    po_number: Mapped[str | None] = mapped_column(String(60))
    commitment_number: Mapped[str | None] = mapped_column(String(60))
    service_code: Mapped[str | None] = mapped_column(String(60))
    credited_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    total_net: Mapped[Decimal] = mapped_column(Money())
    total_vat: Mapped[Decimal] = mapped_column(Money())
    total_gross: Mapped[Decimal] = mapped_column(Money())
    disputed: Mapped[bool] = mapped_column(Boolean, default=False)
    dispute_reason: Mapped[str | None] = mapped_column(String(30))
    dispute_comment: Mapped[str] = mapped_column(Text, default="")
    dispute_opened_on: Mapped[date | None] = mapped_column(Date)
    dispute_opened_by: Mapped[str | None] = mapped_column(String(80))

    customer: Mapped[Customer] = relationship()
    credited_invoice: Mapped[Invoice | None] = relationship(remote_side=[id])
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", cascade="all, delete-orphan", order_by="InvoiceLine.position"
    )
    promises: Mapped[list[PromiseToPay]] = relationship(
        back_populates="invoice", cascade="all, delete-orphan", order_by="PromiseToPay.created_at.desc()"
    )
    allocations: Mapped[list[Allocation]] = relationship(back_populates="invoice", order_by="Allocation.id")

    @property
    def is_credit_note(self) -> bool:
        return self.kind == "credit_note"

    @property
    def signed_total(self) -> Decimal:
        return -self.total_gross if self.is_credit_note else self.total_gross

    @property
    def latest_promise(self) -> PromiseToPay | None:
        return self.promises[0] if self.promises else None


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    position: Mapped[int]
    order_line: Mapped[int | None]  # the line of the customer's purchase order this line invoices
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unit_price: Mapped[Decimal] = mapped_column(Money())
    vat_rate: Mapped[Decimal] = mapped_column(Quantity())
    vat_category: Mapped[str | None] = mapped_column(String(2))  # UNTDID 5305, see ``vat_categories``
    net: Mapped[Decimal] = mapped_column(Money())

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class PromiseToPay(Base):
    __tablename__ = "promises_to_pay"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    promised_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(80))

    invoice: Mapped[Invoice] = relationship(back_populates="promises")


class Payment(Base):
    """A customer payment as posted on the cash-application screen."""

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("form_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    confirmation_number: Mapped[str] = mapped_column(String(30), unique=True)
    form_key: Mapped[str | None] = mapped_column(String(64))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    payment_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    payer: Mapped[str] = mapped_column(String(200))
    bank_reference: Mapped[str] = mapped_column(String(100), index=True)
    posted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    posted_by: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(10))  # "seed" or "screen"

    customer: Mapped[Customer] = relationship()
    allocations: Mapped[list[Allocation]] = relationship(
        back_populates="payment", cascade="all, delete-orphan", order_by="Allocation.id"
    )
    write_offs: Mapped[list[WriteOff]] = relationship(
        back_populates="payment", cascade="all, delete-orphan", order_by="WriteOff.id"
    )


class Allocation(Base):
    """How much of an open item a payment clears (signed like the item: negative on a credit note).
    The cash a payment brings is its allocations minus its write-offs."""

    __tablename__ = "allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money())

    payment: Mapped[Payment] = relationship(back_populates="allocations")
    invoice: Mapped[Invoice] = relationship(back_populates="allocations")


class WriteOff(Base):
    """The part of an allocation the customer did not pay, booked to an expense with a reason code."""

    __tablename__ = "write_offs"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    amount: Mapped[Decimal] = mapped_column(Money())
    reason: Mapped[str] = mapped_column(String(30))

    payment: Mapped[Payment] = relationship(back_populates="write_offs")
    invoice: Mapped[Invoice] = relationship()
