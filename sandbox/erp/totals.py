"""Invoice arithmetic, shared by the seed loader and the demo-data generator so both agree to
the cent: line net = quantity × unit price rounded; VAT computed per rate on the summed nets, as
EN 16931's VAT breakdown does."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Totals:
    net: Decimal
    vat: Decimal
    gross: Decimal


def line_net(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


def invoice_totals(lines: Iterable[tuple[Decimal, Decimal, Decimal]]) -> Totals:
    """Totals of lines given as (quantity, unit_price, vat_rate in percent)."""
    net_by_rate: dict[Decimal, Decimal] = {}
    for quantity, unit_price, vat_rate in lines:
        net_by_rate[vat_rate] = net_by_rate.get(vat_rate, Decimal("0")) + line_net(quantity, unit_price)
    net = sum(net_by_rate.values(), Decimal("0.00"))
    vat = sum(
        ((base * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP) for rate, base in net_by_rate.items()),
        Decimal("0.00"),
    )
    return Totals(net=net.quantize(CENT), vat=vat.quantize(CENT), gross=(net + vat).quantize(CENT))
