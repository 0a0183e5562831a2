"""The seed JSON both portals load (``POST /_admin/seed``, ``--seed FILE``), read and checked::

    {"users": [{"login", "password", "supplier_id", ...}],
     "purchase_orders": [{"po_number", "supplier_id", "buyer", "currency",
                          "lines": [{"description", "quantity", "unit_price", ...}], ...}]}

Money and quantities are strings. Keys a portal adds (portal A's ``totp_secret``, portal B's
``vat_rate`` and ``received_quantity``) stay in ``raw`` for that portal to read.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandbox.portal_common.amounts import seed_decimal


class SeedError(ValueError):
    """The seed JSON is not in the expected shape; the message says where."""


@dataclass(frozen=True)
class SeedUser:
    login: str
    password: str
    supplier_id: str
    raw: dict[str, Any]


@dataclass(frozen=True)
class SeedLine:
    description: str
    quantity: Decimal
    unit_price: Decimal
    raw: dict[str, Any]


@dataclass(frozen=True)
class SeedPurchaseOrder:
    po_number: str
    supplier_id: str
    buyer: str
    currency: str
    lines: list[SeedLine]
    raw: dict[str, Any]


def parse_seed(payload: dict[str, Any]) -> tuple[list[SeedUser], list[SeedPurchaseOrder]]:
    users = [_user(u, f"users[{i}]") for i, u in enumerate(_list(payload, "users", "seed"))]
    orders = [_order(p, f"purchase_orders[{i}]")
              for i, p in enumerate(_list(payload, "purchase_orders", "seed"))]
    return users, orders


def seed_number(raw: dict[str, Any], key: str, where: str, default: Decimal) -> Decimal:
    """An optional money or quantity key of ``raw``."""
    if key not in raw:
        return default
    try:
        return seed_decimal(raw[key], f"{where}.{key}")
    except ValueError as exc:
        raise SeedError(str(exc)) from None


def required_text(raw: dict[str, Any], key: str, where: str) -> str:
    """A required, non-empty string key of ``raw``."""
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SeedError(f"{where}.{key} must be a non-empty string")
    return value.strip()


def _list(raw: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise SeedError(f"{where}.{key} must be a list of objects")
    return value


def _user(raw: dict[str, Any], where: str) -> SeedUser:
    return SeedUser(required_text(raw, "login", where), required_text(raw, "password", where),
                    required_text(raw, "supplier_id", where), raw)


def _order(raw: dict[str, Any], where: str) -> SeedPurchaseOrder:
    currency = required_text(raw, "currency", where).upper()
    if len(currency) != 3 or not currency.isalpha():
        raise SeedError(f"{where}.currency must be an ISO 4217 code such as EUR")
    lines = [_line(line, f"{where}.lines[{i}]") for i, line in enumerate(_list(raw, "lines", where))]
    if not lines:
        raise SeedError(f"{where}.lines must not be empty")
    return SeedPurchaseOrder(required_text(raw, "po_number", where), required_text(raw, "supplier_id", where),
                             required_text(raw, "buyer", where), currency, lines, raw)


def _line(raw: dict[str, Any], where: str) -> SeedLine:
    quantity = _number(raw, "quantity", where)
    unit_price = _number(raw, "unit_price", where)
    if quantity <= 0 or unit_price < 0:
        raise SeedError(f"{where}: quantity must be positive and unit_price not negative")
    return SeedLine(required_text(raw, "description", where), quantity, unit_price, raw)


def _number(raw: dict[str, Any], key: str, where: str) -> Decimal:
    if key not in raw:
        raise SeedError(f"{where}.{key} is missing")
    return seed_number(raw, key, where, Decimal(0))
