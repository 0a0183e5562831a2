"""Looking up a supplier's purchase orders and what is still open on them."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox.portal_b.invoicing import OpenLine
from sandbox.portal_b.models import PurchaseOrder, Submission
from sandbox.portal_b.review import history
from sandbox.portal_common.lifecycle import Status


def find_order(session: Session, po_number: str, supplier_id: str) -> PurchaseOrder | None:
    """The order, if it exists and is the supplier's: another supplier's order is "not found"."""
    return session.scalar(select(PurchaseOrder).where(PurchaseOrder.po_number == po_number,
                                                      PurchaseOrder.supplier_id == supplier_id))


def invoiced_so_far(session: Session, po: PurchaseOrder, now: datetime) -> dict[int, Decimal]:
    """Quantity invoiced per line on the order's invoices that the buyer has not rejected (yet)."""
    totals: dict[int, Decimal] = {}
    for sub in session.scalars(select(Submission).where(Submission.purchase_order_id == po.id)):
        if history(sub, now)[-1].status is Status.REJECTED:
            continue
        for line in sub.lines:
            totals[line.line_no] = totals.get(line.line_no, Decimal(0)) + line.quantity
    return totals


def open_lines(session: Session, po: PurchaseOrder, now: datetime) -> list[OpenLine]:
    invoiced = invoiced_so_far(session, po, now)
    return [OpenLine(line.line_no, line.description, line.quantity, line.unit_price,
                     invoiced.get(line.line_no, Decimal(0))) for line in po.lines]
