"""Writing a payment and its allocations into the books. The caller owns the transaction."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sandbox.erp.allocation_rules import OpenItem, Plan
from sandbox.erp.ledger import OpenItemFilters, open_items
from sandbox.erp.models import Allocation, Customer, Invoice, Payment, WriteOff


def confirmation_number(session: Session, year: int) -> str:
    """The next number in the year's sequence, e.g. CA2026-000042."""
    prefix = f"CA{year}-"
    count = session.scalar(select(func.count()).where(Payment.confirmation_number.like(prefix + "%")))
    return f"{prefix}{count + 1:06d}"


def customer_open_items(session: Session, customer: Customer, today: date) -> dict[str, OpenItem]:
    """The customer's open items as the allocation rules see them, by document number."""
    rows = open_items(session, OpenItemFilters(customer_id=customer.id), today)
    return {
        row.invoice.number: OpenItem(row.invoice.number, row.open_amount, row.invoice.is_credit_note) for row in rows
    }


def payment_with_bank_reference(session: Session, bank_reference: str) -> Payment | None:
    return session.scalar(select(Payment).where(Payment.bank_reference == bank_reference))


def post_payment(
    session: Session,
    *,
    customer: Customer,
    payment_date: date,
    currency: str,
    payer: str,
    bank_reference: str,
    plan: Plan,
    posted_by: str,
    posted_at: datetime,
    source: str,
    form_key: str | None = None,
) -> Payment:
    """Add the payment, its allocations and write-offs; return it with its confirmation number."""
    invoices = {
        inv.number: inv
        for inv in session.scalars(select(Invoice).where(Invoice.number.in_([line.number for line in plan.lines])))
    }
    payment = Payment(
        confirmation_number=confirmation_number(session, posted_at.year),
        form_key=form_key,
        customer=customer,
        payment_date=payment_date,
        amount=plan.amount,
        currency=currency,
        payer=payer,
        bank_reference=bank_reference,
        posted_at=posted_at,
        posted_by=posted_by,
        source=source,
    )
    for line in plan.lines:
        invoice = invoices[line.number]
        payment.allocations.append(Allocation(invoice=invoice, amount=line.allocate))
        if line.write_off:
            payment.write_offs.append(WriteOff(invoice=invoice, amount=line.write_off, reason=line.reason))
    session.add(payment)
    session.flush()
    return payment

