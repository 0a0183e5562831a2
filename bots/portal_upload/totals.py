"""The arithmetic of an invoice, as EN 16931 defines it: a line's net amount is quantity × net
price rounded to the cent; the VAT breakdown groups lines by category and rate, and each group's
tax is its taxable amount × rate, rounded to the cent (BR-CO-17). Pure, Decimal only."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bots.portal_upload.model import InvoiceLine
from bots.portal_upload.vat import VatCategory

CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_net(line: InvoiceLine) -> Decimal:
    return cents(line.quantity * line.unit_price)


@dataclass(frozen=True)
class VatGroup:
    category: VatCategory
    rate: Decimal
    basis: Decimal
    tax: Decimal


def vat_breakdown(lines: Iterable[tuple[InvoiceLine, VatCategory]]) -> list[VatGroup]:
    """One group per (category, rate), in the order they first appear."""
    bases: dict[tuple[str, Decimal], tuple[VatCategory, Decimal]] = {}
    for line, category in lines:
        key = (category.code, line.vat_rate)
        previous = bases.get(key, (category, Decimal("0.00")))[1]
        bases[key] = (category, previous + line_net(line))
    return [VatGroup(category, rate, basis, cents(basis * rate / 100))
            for (_, rate), (category, basis) in bases.items()]


def lines_total(lines: Iterable[InvoiceLine]) -> Decimal:
    return sum((line_net(line) for line in lines), Decimal("0.00"))
