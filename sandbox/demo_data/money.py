"""Money in the demo data: Decimal to the cent, written in JSON as "1234.50"."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_json(value: Decimal) -> str:
    return str(cents(value))
