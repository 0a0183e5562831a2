"""The tables both portals have, as mixins each portal's models complete with its own columns:
supplier users, the buyer's purchase orders and their lines, login sessions kept server-side, and
submitted invoices. Each portal keeps its own database (its own ``Base``), so the relationships
name their targets by class name and resolve within each portal."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from sandbox.app_db import DecimalText, UtcDateTime


class UserColumns:
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(120), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    supplier_id: Mapped[str] = mapped_column(String(60), index=True)


class PurchaseOrderColumns:
    __tablename__ = "purchase_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    po_number: Mapped[str] = mapped_column(String(60), unique=True)
    supplier_id: Mapped[str] = mapped_column(String(60), index=True)
    buyer: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))

    @declared_attr
    def lines(cls) -> Mapped[list[Any]]:
        return relationship("PurchaseOrderLine", back_populates="purchase_order",
                            order_by="PurchaseOrderLine.line_no", cascade="all, delete-orphan")


class PurchaseOrderLineColumns:
    __tablename__ = "purchase_order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"))
    line_no: Mapped[int]
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(DecimalText)
    unit_price: Mapped[Decimal] = mapped_column(DecimalText)

    @declared_attr
    def purchase_order(cls) -> Mapped[Any]:
        return relationship("PurchaseOrder", back_populates="lines")


class LoginSessionColumns:
    """A browser's login (see ``login_sessions``); the cookie holds only the token."""

    __tablename__ = "login_sessions"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime)

    @declared_attr
    def user(cls) -> Mapped[Any]:
        return relationship("User")


class SubmissionColumns:
    """A submitted invoice. ``rejection_reason`` is the buyer's verdict, decided on arrival and
    shown only once the review time has passed (see ``portal_common.lifecycle``)."""

    __tablename__ = "submissions"

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("supplier_id", "invoice_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(30), unique=True)
    supplier_id: Mapped[str] = mapped_column(String(60), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    invoice_number: Mapped[str] = mapped_column(String(60))
    invoice_key: Mapped[str] = mapped_column(String(60))  # the number as duplicates are detected
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

    @declared_attr
    def user(cls) -> Mapped[Any]:
        return relationship("User")


def invoice_key(invoice_number: str) -> str:
    """Invoice numbers are compared without case or surrounding spaces, as the buyer's AP does."""
    return invoice_number.strip().upper()
