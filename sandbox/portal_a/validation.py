"""The upload form's checks, as the portal makes them when the form is sent (the PO itself is only
checked later by the buyer's review, see ``review``). Pure: the form's text in, an entry or the
messages to show beside each field out."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sandbox.portal_common.amounts import parse_decimal

CURRENCIES = ("EUR", "USD", "GBP", "CHF")
_INVOICE_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_/.]{0,39}")


@dataclass(frozen=True)
class InvoiceEntry:
    po_number: str
    invoice_number: str
    invoice_date: date
    amount_excl_tax: Decimal
    vat: Decimal
    total: Decimal
    currency: str


def check_invoice_form(form: Mapping[str, str], today: date) -> tuple[InvoiceEntry | None, dict[str, str]]:
    """The entry the form describes, or None and a message per field in error."""
    errors: dict[str, str] = {}
    po_number = form.get("po_number", "").strip()
    if not po_number:
        errors["po_number"] = "Enter the PO number."
    invoice_number = form.get("invoice_number", "").strip()
    if not invoice_number:
        errors["invoice_number"] = "Enter the invoice number."
    elif not _INVOICE_NUMBER.fullmatch(invoice_number):
        errors["invoice_number"] = "Invoice number: up to 40 letters, digits and - _ / . only."
    invoice_date = _check_date(form.get("invoice_date", ""), today, errors)
    amount = _check_amount(form, "amount_excl_tax", "Amount excl. tax", errors, positive=True)
    vat = _check_amount(form, "vat_amount", "VAT", errors, positive=False)
    total = _check_amount(form, "total_amount", "Total", errors, positive=True)
    if amount is not None and vat is not None and total is not None and amount + vat != total:
        errors["total_amount"] = "Total must equal amount excl. tax plus VAT."
    currency = form.get("currency", "")
    if currency not in CURRENCIES:
        errors["currency"] = "Choose a currency."
    if errors:
        return None, errors
    assert invoice_date and amount is not None and vat is not None and total is not None
    return InvoiceEntry(po_number, invoice_number, invoice_date, amount, vat, total, currency), {}


def _check_date(text: str, today: date, errors: dict[str, str]) -> date | None:
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        errors["invoice_date"] = "Enter the invoice date as YYYY-MM-DD."
        return None
    if value > today:
        errors["invoice_date"] = "Invoice date cannot be in the future."
        return None
    return value


def _check_amount(form: Mapping[str, str], field: str, name: str, errors: dict[str, str], *,
                  positive: bool) -> Decimal | None:
    text = form.get(field, "").strip()
    if not text:
        errors[field] = f"{name} is required."
        return None
    value = parse_decimal(text, places=2)
    if value is None:
        errors[field] = f"{name}: enter an amount such as 1250.00."
        return None
    if value < 0 or (positive and value == 0):
        errors[field] = f"{name} must be greater than zero." if positive else f"{name} cannot be negative."
        return None
    return value
