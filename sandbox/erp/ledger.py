"""Read-side queries over the receivables: residuals, the open-items list with its filters and
pages, the aged balance. Functions take a session and never commit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, Select, case, func, or_, select, type_coerce
from sqlalchemy.orm import Session, joinedload

from sandbox.erp.column_types import Money
from sandbox.erp.models import Allocation, Customer, Invoice

PAGE_SIZE = 50
AGING_BUCKETS = ("not_due", "1_30", "31_60", "61_90", "over_90")
AGING_LABELS = {"not_due": "Not due", "1_30": "1-30", "31_60": "31-60", "61_90": "61-90", "over_90": ">90"}


def aging_bucket(due_date: date, as_of: date) -> str:
    """The aged-balance column for an item due on ``due_date``, seen on ``as_of``."""
    days = (as_of - due_date).days
    if days <= 0:
        return "not_due"
    if days <= 30:
        return "1_30"
    if days <= 60:
        return "31_60"
    if days <= 90:
        return "61_90"
    return "over_90"


def _residual_cents():
    allocated = (
        select(Allocation.invoice_id, func.sum(type_coerce(Allocation.amount, BigInteger)).label("cents"))
        .group_by(Allocation.invoice_id)
        .subquery()
    )
    sign = case((Invoice.kind == "credit_note", -1), else_=1)
    cents = type_coerce(Invoice.total_gross, BigInteger) * sign - func.coalesce(allocated.c.cents, 0)
    return allocated, cents


def residual_of(session: Session, invoice: Invoice) -> Decimal:
    """What is still open on one document (signed)."""
    allocated = session.scalar(
        select(func.coalesce(func.sum(type_coerce(Allocation.amount, BigInteger)), 0)).where(
            Allocation.invoice_id == invoice.id
        )
    )
    return invoice.signed_total - Decimal(allocated) / 100


@dataclass(frozen=True)
class OpenItemFilters:
    customer: str = ""
    number: str = ""
    due_after: date | None = None
    due_before: date | None = None
    overdue_only: bool = False
    customer_id: int | None = None  # one account, as the customer record and the cash screen show it


@dataclass(frozen=True)
class OpenItemRow:
    invoice: Invoice
    open_amount: Decimal
    days_overdue: int


@dataclass(frozen=True)
class Page:
    rows: list[OpenItemRow]
    number: int
    total_rows: int
    total_open: Decimal

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total_rows // PAGE_SIZE))


def customer_condition(text: str):
    """Customer search as the clerk types it: exact code, SIREN, or part of the name."""
    text = text.strip()
    digits = text.replace(" ", "")
    return or_(
        Customer.code == text.upper(),
        Customer.siren == digits,
        Customer.legal_name.ilike(f"%{text}%"),
    )


def _open_items_select(filters: OpenItemFilters, today: date) -> Select:
    allocated, cents = _residual_cents()
    query = (
        select(Invoice, type_coerce(cents, Money()).label("open_amount"))
        .join(Customer, Invoice.customer_id == Customer.id)
        .outerjoin(allocated, allocated.c.invoice_id == Invoice.id)
        .where(cents != 0)
    )
    if filters.customer_id is not None:
        query = query.where(Invoice.customer_id == filters.customer_id)
    if filters.customer.strip():
        query = query.where(customer_condition(filters.customer))
    if filters.number.strip():
        query = query.where(Invoice.number.ilike(f"%{filters.number.strip()}%"))
    if filters.due_after:
        query = query.where(Invoice.due_date >= filters.due_after)
    if filters.due_before:
        query = query.where(Invoice.due_date <= filters.due_before)
    if filters.overdue_only:
        query = query.where(Invoice.due_date < today)
    return query


def open_items(session: Session, filters: OpenItemFilters, today: date) -> list[OpenItemRow]:
    """Every open item matching the filters, oldest due first (for exports and the cash screen)."""
    query = _open_items_select(filters, today).options(joinedload(Invoice.customer))
    query = query.order_by(Invoice.due_date, Invoice.number)
    return [OpenItemRow(inv, amount, max(0, (today - inv.due_date).days)) for inv, amount in session.execute(query)]


def open_items_page(session: Session, filters: OpenItemFilters, page: int, today: date) -> Page:
    """One page of 50 open items and the totals of all pages."""
    base = _open_items_select(filters, today).subquery()
    total_rows, total_cents = session.execute(
        select(func.count(), func.coalesce(func.sum(type_coerce(base.c.open_amount, BigInteger)), 0)).select_from(base)
    ).one()
    page_count = max(1, -(-total_rows // PAGE_SIZE))
    page = min(max(1, page), page_count)
    query = (
        _open_items_select(filters, today)
        .options(joinedload(Invoice.customer), joinedload(Invoice.promises))
        .order_by(Invoice.due_date, Invoice.number)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    rows = [
        OpenItemRow(inv, amount, max(0, (today - inv.due_date).days))
        for inv, amount in session.execute(query).unique()
    ]
    return Page(rows, page, total_rows, Decimal(total_cents) / 100)


@dataclass
class AgedBalanceRow:
    customer: Customer
    buckets: dict[str, Decimal]
    disputed: Decimal

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), Decimal("0.00"))


def aged_balance(session: Session, as_of: date) -> list[AgedBalanceRow]:
    """Open amounts per customer in the buckets not due / 1-30 / 31-60 / 61-90 / >90 days."""
    rows: dict[int, AgedBalanceRow] = {}
    for item in open_items(session, OpenItemFilters(), as_of):
        invoice = item.invoice
        row = rows.get(invoice.customer_id)
        if row is None:
            row = rows[invoice.customer_id] = AgedBalanceRow(
                invoice.customer, {b: Decimal("0.00") for b in AGING_BUCKETS}, Decimal("0.00")
            )
        row.buckets[aging_bucket(invoice.due_date, as_of)] += item.open_amount
        if invoice.disputed:
            row.disputed += item.open_amount
    return sorted(rows.values(), key=lambda r: r.customer.code)
