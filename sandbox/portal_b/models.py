"""Portal B's data: supplier users, the buyer's purchase orders (with the quantities received, for
the three-way match), login sessions and their invoice drafts kept server-side, and submitted
invoices with their lines."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from sandbox.app_db import DecimalText
from sandbox.portal_common.models import (
    LoginSessionColumns,
    PurchaseOrderColumns,
    PurchaseOrderLineColumns,
    SubmissionColumns,
    UserColumns,
)


class Base(DeclarativeBase):
    pass


class User(UserColumns, Base):
    pass


class PurchaseOrder(PurchaseOrderColumns, Base):
    vat_rate: Mapped[Decimal] = mapped_column(DecimalText)  # percent, e.g. 20


class PurchaseOrderLine(PurchaseOrderLineColumns, Base):
    __table_args__ = (UniqueConstraint("purchase_order_id", "line_no"),)

    received_quantity: Mapped[Decimal] = mapped_column(DecimalText)  # goods receipt so far


class LoginSession(LoginSessionColumns, Base):
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


class Submission(SubmissionColumns, Base):
    """A submitted invoice, against one purchase order, with its lines."""

    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"))
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
