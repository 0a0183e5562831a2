"""Reading and showing money the way the ERP's screens do: "1,234.50" shown, "1234.50",
"1,234.50" or "1 234.50" accepted (a decimal point, never a decimal comma)."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
_AMOUNT = re.compile(r"^-?\d+(\.\d{1,2})?$")


def parse_amount(text: str) -> Decimal:
    """The Decimal a person typed; ValueError with a readable message when it is not an amount."""
    cleaned = re.sub(r"[\s\u00a0\u202f,]", "", text or "")
    if not _AMOUNT.match(cleaned):
        raise ValueError(f"“{text}” is not an amount (use digits and a decimal point, e.g. 1234.50)")
    try:
        return Decimal(cleaned).quantize(CENT)
    except InvalidOperation as exc:  # pragma: no cover - the regex already refused it
        raise ValueError(f"“{text}” is not an amount") from exc


def format_amount(value: Decimal | None) -> str:
    """1234.5 -> "1,234.50"; negative amounts keep their minus sign."""
    if value is None:
        return ""
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def to_json(value: Decimal) -> str:
    """Money in JSON is a string with two decimals: "1234.50"."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))
