"""Column types SQLite cannot hold natively: exact decimals and timezone-aware datetimes.

Money is kept as integer cents and quantities as integer thousandths, so sums are exact and
SQLAlchemy never warns about Decimal on SQLite; datetimes are stored as UTC and read back aware.
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime
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


class UtcDateTime(TypeDecorator):
    """An aware datetime, stored as naive UTC, read back with tzinfo=UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: give a timezone")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)
