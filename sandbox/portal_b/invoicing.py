"""The wizard's invoice arithmetic and step-2 checks, pure: which quantities are still open on each
PO line, whether what the supplier typed can be invoiced, and the totals of the resulting invoice."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sandbox.portal_common.amounts import parse_decimal, to_cents

MAX_INVOICE_NUMBER = 60


@dataclass(frozen=True)
class OpenLine:
    line_no: int
    description: str
    ordered: Decimal
    unit_price: Decimal
    invoiced: Decimal  # on invoices not rejected

    @property
    def remaining(self) -> Decimal:
        return max(self.ordered - self.invoiced, Decimal(0))


@dataclass(frozen=True)
class InvoiceHeader:
    invoice_number: str
    invoice_date: date
    quantities: dict[int, Decimal]  # line_no -> quantity invoiced, only lines above zero


@dataclass(frozen=True)
class InvoiceLine:
    line_no: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class InvoiceTotals:
    lines: list[InvoiceLine]
    net: Decimal
    vat: Decimal
    total: Decimal


def quantity_field(line_no: int) -> str:
    return f"qty_{line_no}"


def check_lines(form: Mapping[str, str], lines: list[OpenLine], today: date
                ) -> tuple[InvoiceHeader | None, dict[str, str]]:
    """The invoice the step-2 form describes, or None and a message per field in error."""
    errors: dict[str, str] = {}
    number = form.get("invoice_number", "").strip()
    if not number:
        errors["invoice_number"] = "Invoice # is required."
    elif len(number) > MAX_INVOICE_NUMBER or any(c.isspace() for c in number):
        errors["invoice_number"] = f"Invoice # must be at most {MAX_INVOICE_NUMBER} characters, without spaces."
    invoice_date: date | None = None
    try:
        invoice_date = date.fromisoformat(form.get("invoice_date", "").strip())
    except ValueError:
        errors["invoice_date"] = "Invoice date is required (YYYY-MM-DD)."
    else:
        if invoice_date > today:
            errors["invoice_date"] = "Invoice date cannot be later than today."
    quantities: dict[int, Decimal] = {}
    for line in lines:
        field = quantity_field(line.line_no)
        text = form.get(field, "").strip() or "0"
        quantity = parse_decimal(text, places=3)
        if quantity is None or quantity < 0:
            errors[field] = f"Line {line.line_no}: enter a quantity of 0 or more."
        elif quantity > line.remaining:
            errors[field] = (f"Line {line.line_no}: quantity {quantity} exceeds the {line.remaining} "
                             f"still open on the order (ordered {line.ordered}).")
        elif quantity > 0:
            quantities[line.line_no] = quantity
    if not quantities and not any(k.startswith("qty_") for k in errors):
        errors["lines"] = "Enter a quantity for at least one line."
    if errors:
        return None, errors
    assert invoice_date is not None
    return InvoiceHeader(number, invoice_date, quantities), {}


def invoice_totals(lines: list[OpenLine], quantities: Mapping[int, Decimal], vat_rate: Decimal) -> InvoiceTotals:
    """Line amounts rounded to the cent, VAT on the net at the order's rate."""
    invoiced = [InvoiceLine(line.line_no, line.description, quantities[line.line_no], line.unit_price,
                            to_cents(quantities[line.line_no] * line.unit_price))
                for line in lines if quantities.get(line.line_no)]
    net = sum((line.amount for line in invoiced), Decimal("0.00"))
    vat = to_cents(net * vat_rate / 100)
    return InvoiceTotals(invoiced, net, vat, net + vat)
