"""Amounts and dates written the way French and English business documents write them:
"4 442,16 €" and "12/11/2025" in French, "4,442.16" and "12 Nov 2025" in English. Formatted by
hand, not through the C locale, so that every machine writes the same bytes."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}


def amount(value: Decimal, language: str) -> str:
    """``Decimal("-4442.16")`` -> "-4 442,16" (fr) or "-4,442.16" (en)."""
    sign = "-" if value < 0 else ""
    units, _, cents = f"{abs(value):.2f}".partition(".")
    groups = []
    while len(units) > 3:
        groups.insert(0, units[-3:])
        units = units[:-3]
    groups.insert(0, units)
    if language == "fr":
        return sign + " ".join(groups) + "," + cents
    return sign + ",".join(groups) + "." + cents


def euros(value: Decimal, language: str) -> str:
    """"4 442,16 €" (fr) or "EUR 4,442.16" (en)."""
    return f"{amount(value, 'fr')} €" if language == "fr" else f"EUR {amount(value, 'en')}"


def short_date(day: date, language: str) -> str:
    """"02/12/2025" (fr) or "02 Dec 2025" (en)."""
    if language == "fr":
        return f"{day:%d/%m/%Y}"
    return f"{day.day:02d} {MONTHS['en'][day.month - 1][:3]} {day.year}"


def long_date(day: date, language: str) -> str:
    """"2 décembre 2025" (fr, "1er" on the first) or "2 December 2025" (en)."""
    month = MONTHS[language][day.month - 1]
    if language == "fr":
        return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"
    return f"{day.day} {month} {day.year}"
