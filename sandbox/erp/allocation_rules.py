"""The cash-application screen's rules, as a pure function: what a clerk may post.

The model is the one of SAP's F-28 or Odoo's reconciliation: each allocation says how much of an
open item the payment clears (signed like the item, so negative on a credit note); a write-off is
the part of an allocation the customer did not pay (bank fees, early-payment discount, short
payment), booked with a reason code. The payment balances when

    sum(allocations) - sum(write-offs) == payment amount.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from sandbox.erp.amounts import format_amount, parse_amount
from sandbox.erp.models import WRITE_OFF_REASONS

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class OpenItem:
    number: str
    open_amount: Decimal  # signed: negative for a credit note
    is_credit_note: bool


@dataclass(frozen=True)
class LineInput:
    """One row of the screen as typed: text fields, empty when left blank."""

    number: str
    allocate: str = ""
    write_off: str = ""
    reason: str = ""


@dataclass(frozen=True)
class PlannedLine:
    number: str
    allocate: Decimal
    write_off: Decimal
    reason: str | None


@dataclass(frozen=True)
class Plan:
    amount: Decimal
    lines: tuple[PlannedLine, ...]

    @property
    def allocated(self) -> Decimal:
        return sum((line.allocate for line in self.lines), ZERO)

    @property
    def written_off(self) -> Decimal:
        return sum((line.write_off for line in self.lines), ZERO)


@dataclass(frozen=True)
class Problem:
    """An error to show; ``field`` is the input it belongs to (None: the whole form)."""

    field: str | None
    message: str


def plan_allocation(
    amount: Decimal, items: Mapping[str, OpenItem], lines: Iterable[LineInput]
) -> tuple[Plan | None, list[Problem]]:
    """The plan to post, or None and the problems a clerk must fix."""
    problems: list[Problem] = []
    planned: list[PlannedLine] = []
    if amount <= 0:
        problems.append(Problem("amount", "The payment amount must be positive."))
    for line in lines:
        if not line.allocate.strip() and not line.write_off.strip():
            continue
        item = items.get(line.number)
        if item is None:
            problems.append(Problem(None, f"{line.number} is not an open item of this customer."))
            continue
        alloc_field, wo_field, reason_field = (f"{kind}-{line.number}" for kind in ("allocate", "writeoff", "reason"))
        try:
            allocate = parse_amount(line.allocate) if line.allocate.strip() else ZERO
        except ValueError as exc:
            problems.append(Problem(alloc_field, str(exc)))
            continue
        try:
            write_off = parse_amount(line.write_off) if line.write_off.strip() else ZERO
        except ValueError as exc:
            problems.append(Problem(wo_field, str(exc)))
            continue
        if allocate == 0 and write_off == 0:
            continue
        if allocate == 0:
            problems.append(Problem(wo_field, f"{line.number}: a write-off needs an allocation on the same item."))
            continue
        if (allocate > 0) != (item.open_amount > 0):
            sign = "negative" if item.is_credit_note else "positive"
            problems.append(
                Problem(alloc_field, f"{line.number}: the allocation must be {sign}, like the open amount."))
            continue
        if abs(allocate) > abs(item.open_amount):
            problems.append(Problem(
                alloc_field,
                f"{line.number}: {format_amount(allocate)} is more than the open amount "
                f"{format_amount(item.open_amount)}.",
            ))
            continue
        reason = line.reason.strip() or None
        if write_off:
            if item.is_credit_note:
                problems.append(Problem(wo_field, f"{line.number}: a credit note cannot be written off here."))
                continue
            if write_off < 0 or write_off > allocate:
                problems.append(
                    Problem(wo_field, f"{line.number}: the write-off must be between 0 and the allocation."))
                continue
            if reason not in WRITE_OFF_REASONS:
                problems.append(Problem(reason_field, f"{line.number}: choose a reason for the write-off."))
                continue
        else:
            reason = None
        planned.append(PlannedLine(line.number, allocate, write_off, reason))
    plan = Plan(amount, tuple(planned))
    if not problems and not planned:
        problems.append(Problem(None, "Allocate the payment to at least one open item."))
    if not problems and plan.allocated - plan.written_off != amount:
        difference = amount - (plan.allocated - plan.written_off)
        problems.append(Problem(None, (
            f"The payment does not balance: allocated {format_amount(plan.allocated)} minus write-offs "
            f"{format_amount(plan.written_off)} should equal the amount {format_amount(amount)} "
            f"(difference {format_amount(difference)})."
        )))
    return (None, problems) if problems else (plan, [])
