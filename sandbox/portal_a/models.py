"""Portal A's data: supplier users with a TOTP secret, the buyer's purchase orders, login sessions
kept server-side, and submitted invoices."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from sandbox.portal_common.amounts import to_cents
from sandbox.portal_common.db import DecimalText, UtcDateTime


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(120), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    supplier_id: Mapped[str] = mapped_column(String(60), index=True)
    totp_secret: Mapped[str] = mapped_column(String(64))


class PurchaseOrder(Base):
    __tablename__ = "purchase_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    po_number: Mapped[str] = mapped_column(String(60), unique=True)
    supplier_id: Mapped[str] = mapped_column(String(60), index=True)
    buyer: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        back_populates="purchase_order", order_by="PurchaseOrderLine.line_no", cascade="all, delete-orphan")

    @property
    def net_total(self) -> Decimal:
        return sum((to_cents(line.quantity * line.unit_price) for line in self.lines), Decimal("0.00"))


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"))
    line_no: Mapped[int]
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(DecimalText)
    unit_price: Mapped[Decimal] = mapped_column(DecimalText)
    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="lines")


class LoginSession(Base):
    """A browser's login, from the password step; usable once the second factor is passed."""

    __tablename__ = "login_sessions"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    second_factor_passed: Mapped[bool] = mapped_column(default=False)
    failed_codes: Mapped[int] = mapped_column(default=0)
    user: Mapped[User] = relationship()


class Submission(Base):
    """An uploaded invoice. ``rejection_reason`` is the buyer's verdict, decided on arrival and
    shown only once the review time has passed (see ``portal_common.lifecycle``)."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("supplier_id", "invoice_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(30), unique=True)
    supplier_id: Mapped[str] = mapped_column(String(60), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    po_number: Mapped[str] = mapped_column(String(60))
    invoice_number: Mapped[str] = mapped_column(String(40))
    invoice_key: Mapped[str] = mapped_column(String(40))  # the number as duplicates are detected
    invoice_date: Mapped[date] = mapped_column(Date)
    amount_excl_tax: Mapped[Decimal] = mapped_column(DecimalText)
    vat: Mapped[Decimal] = mapped_column(DecimalText)
    total: Mapped[Decimal] = mapped_column(DecimalText)
    currency: Mapped[str] = mapped_column(String(3))
    pdf_filename: Mapped[str] = mapped_column(String(255))
    pdf_path: Mapped[str] = mapped_column(String(1000))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf_size: Mapped[int]
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    rejection_reason: Mapped[str | None] = mapped_column(String(200))
    user: Mapped[User] = relationship()


def invoice_key(invoice_number: str) -> str:
    """Invoice numbers are compared without case or surrounding spaces, as the buyer's AP does."""
    return invoice_number.strip().upper()
