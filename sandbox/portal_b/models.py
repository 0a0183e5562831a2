"""Portal B's data: supplier users, the buyer's purchase orders (with the quantities received, for
the three-way match), login sessions and their invoice drafts kept server-side, and submitted
invoices with their lines."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from sandbox.portal_common.db import DecimalText, UtcDateTime


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(120), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    supplier_id: Mapped[str] = mapped_column(String(60), index=True)


class PurchaseOrder(Base):
    __tablename__ = "purchase_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    po_number: Mapped[str] = mapped_column(String(60), unique=True)
    supplier_id: Mapped[str] = mapped_column(String(60), index=True)
    buyer: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    vat_rate: Mapped[Decimal] = mapped_column(DecimalText)  # percent, e.g. 20
    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        back_populates="purchase_order", order_by="PurchaseOrderLine.line_no", cascade="all, delete-orphan")


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (UniqueConstraint("purchase_order_id", "line_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"))
    line_no: Mapped[int]
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(DecimalText)
    unit_price: Mapped[Decimal] = mapped_column(DecimalText)
    received_quantity: Mapped[Decimal] = mapped_column(DecimalText)  # goods receipt so far
    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="lines")


class LoginSession(Base):
    __tablename__ = "login_sessions"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    user: Mapped[User] = relationship()
    # An unfinished invoice dies with the session, as on the real network.
    draft: Mapped[Draft | None] = relationship(cascade="all, delete-orphan", uselist=False)


class Draft(Base):
    """The invoice wizard's state for one login session: what each step has recorded so far."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_token: Mapped[str] = mapped_column(ForeignKey("login_sessions.token", ondelete="CASCADE"),
                                               unique=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"))
    invoice_number: Mapped[str] = mapped_column(String(60), default="")
    invoice_date: Mapped[str] = mapped_column(String(20), default="")  # as typed
    quantities: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # line_no -> text typed
    lines_done: Mapped[bool] = mapped_column(default=False)  # step 2 passed its checks
    pdf_filename: Mapped[str | None] = mapped_column(String(255))
    pdf_path: Mapped[str | None] = mapped_column(String(1000))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_size: Mapped[int | None]
    purchase_order: Mapped[PurchaseOrder] = relationship()


class Submission(Base):
    """A submitted invoice. ``rejection_reason`` is the buyer's verdict, decided on arrival and
    shown only once the review time has passed (see ``portal_common.lifecycle``)."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("supplier_id", "invoice_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(30), unique=True)
    supplier_id: Mapped[str] = mapped_column(String(60), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"))
    invoice_number: Mapped[str] = mapped_column(String(60))
    invoice_key: Mapped[str] = mapped_column(String(60))
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
    purchase_order: Mapped[PurchaseOrder] = relationship()
    lines: Mapped[list[SubmissionLine]] = relationship(order_by="SubmissionLine.line_no",
                                                       cascade="all, delete-orphan")


class SubmissionLine(Base):
    __tablename__ = "submission_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    po_line_id: Mapped[int] = mapped_column(ForeignKey("purchase_order_lines.id"))
    line_no: Mapped[int]
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(DecimalText)
    unit_price: Mapped[Decimal] = mapped_column(DecimalText)
    amount: Mapped[Decimal] = mapped_column(DecimalText)


def invoice_key(invoice_number: str) -> str:
    """Invoice numbers are compared without case or surrounding spaces."""
    return invoice_number.strip().upper()
