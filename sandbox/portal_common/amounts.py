"""Reading amounts and quantities as people type them into a portal, and as seed files give them."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_GROUPING = re.compile(r"[\s\u00a0\u202f]")
CENT = Decimal("0.01")


def parse_decimal(text: str, places: int) -> Decimal | None:
    """``text`` as a Decimal with at most ``places`` decimals, or None if it is not one.

    Accepts "1250.00", "1250,00" and "1 250,00" (spaces group thousands, a comma or a point marks
    decimals), as a portal used from France and elsewhere does; refuses "1,250.00" as ambiguous.
    """
    cleaned = _GROUPING.sub("", text or "")
    if cleaned.count(",") + cleaned.count(".") > 1:
        return None
    cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        return None
    return value


def seed_decimal(value: object, what: str) -> Decimal:
    """A seed file's amount or quantity: a string (or an integer), never a float."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"{what} must be a string such as \"12.50\", not {value!r}")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{what} is not a number: {value!r}") from None


def to_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
