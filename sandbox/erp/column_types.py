"""The ERP's exact decimals on SQLite: money is kept as integer cents and quantities as integer
thousandths, so sums are exact (in SQL too) and SQLAlchemy never warns about Decimal on SQLite.
Aware datetimes use the sandbox's ``app_db.UtcDateTime``.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import BigInteger
from sqlalchemy.types import TypeDecorator


class ScaledDecimal(TypeDecorator):
    """A Decimal with a fixed number of places, stored as a scaled integer."""

    impl = BigInteger
    cache_ok = True

    def __init__(self, places: int = 2) -> None:
        super().__init__()
        self.places = places
        self._scale = Decimal(10) ** places
        self._quantum = Decimal(1).scaleb(-places)

    def process_bind_param(self, value: Decimal | None, dialect) -> int | None:
        if value is None:
            return None
        scaled = Decimal(value) * self._scale
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.places} decimal places")
        return int(scaled)

    def process_result_value(self, value: int | None, dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(value) / self._scale).quantize(self._quantum)


def Money() -> ScaledDecimal:  # noqa: N802 - reads like a type in model declarations
    """Amounts in cents."""
    return ScaledDecimal(2)


def Quantity() -> ScaledDecimal:  # noqa: N802
    """Quantities and rates in thousandths."""
    return ScaledDecimal(3)

