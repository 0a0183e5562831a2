"""Portal A's data: supplier users with a TOTP secret, the buyer's purchase orders, login sessions
kept server-side (with the second factor's progress), and submitted invoices against a PO number."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sandbox.portal_common.amounts import to_cents
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
    totp_secret: Mapped[str] = mapped_column(String(64))


class PurchaseOrder(PurchaseOrderColumns, Base):
    @property
    def net_total(self) -> Decimal:
        return sum((to_cents(line.quantity * line.unit_price) for line in self.lines), Decimal("0.00"))


class PurchaseOrderLine(PurchaseOrderLineColumns, Base):
    pass


class LoginSession(LoginSessionColumns, Base):
    """A browser's login, from the password step; usable once the second factor is passed."""

    second_factor_passed: Mapped[bool] = mapped_column(default=False)
    failed_codes: Mapped[int] = mapped_column(default=0)


class Submission(SubmissionColumns, Base):
    """An uploaded invoice, against a PO number as the supplier typed it."""

    invoice_number: Mapped[str] = mapped_column(String(40))  # portal A takes at most 40 characters
    invoice_key: Mapped[str] = mapped_column(String(40))
    po_number: Mapped[str] = mapped_column(String(60))
