"""The work item payload the collect step writes for each invoice and the deliver step reads:
JSON with money and quantities as strings (never floats), dates as ISO strings, and the field
names of the ERP export so that a handler fixing an item in the exception inbox recognises them::

    {"invoice": {"number", "kind", "issue_date", "due_date", "currency", "po_number",
                 "commitment_number", "service_code", "credited_invoice", "delivery_date",
                 "total_net", "total_vat", "total_gross", "pdf",
                 "lines": [{"description", "quantity", "unit_price", "vat_rate", "unit_code",
                            "order_line", "vat_category"}]},
     "customer": {"code", "legal_name", "category", "siret", "siren", "vat_number", "address",
                  "invoice_channel", "portal_supplier_id", "chorus_service_code", "billing_email",
                  "language" (or the ERP's "dunning_language")},
     "seller": {"name", "siret", "siren", "vat_number", "iban", "bic", "email", "phone", "address"}}

Addresses are ``{"line1", "line2", "postcode", "city", "country"}``.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from robocorp.workitems import BusinessException

from bots.portal_upload.model import (
    CREDIT_NOTE,
    INVOICE,
    Customer,
    Invoice,
    InvoiceJob,
    InvoiceLine,
    Money,
    PostalAddress,
    Seller,
)


class InvalidPayload(BusinessException):
    """The work item does not describe an invoice the bot can read; the message says which field."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(message=f"The work item's {where} {problem}. Correct it in the item (or the ERP) "
                                 "and retry.", code="PAYLOAD_INVALID")
        self.where = where


def job_from_payload(payload: Any) -> InvoiceJob:
    """The invoice job a payload describes, or :class:`InvalidPayload` naming the bad field."""
    if not isinstance(payload, dict):
        raise InvalidPayload("payload", "is not a JSON object")
    return InvoiceJob(invoice_from_dict(_obj(payload, "invoice", "payload")),
                      customer_from_dict(_obj(payload, "customer", "payload")),
                      seller_from_dict(_obj(payload, "seller", "payload")))


def invoice_from_dict(raw: dict[str, Any]) -> Invoice:
    currency = _text(raw, "currency", "invoice").upper()
    kind = raw.get("kind") or INVOICE
    if kind not in (INVOICE, CREDIT_NOTE):
        raise InvalidPayload("invoice.kind", f"is {kind!r}, expected {INVOICE!r} or {CREDIT_NOTE!r}")
    raw_lines = raw.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise InvalidPayload("invoice.lines", "must be a non-empty list")
    lines = tuple(_line(line, f"invoice.lines[{i}]") for i, line in enumerate(raw_lines))
    try:
        return Invoice(
            number=_text(raw, "number", "invoice"), kind=kind,
            issue_date=_date(raw, "issue_date", "invoice"), due_date=_date(raw, "due_date", "invoice"),
            currency=currency, lines=lines,
            total_net=Money(_decimal(raw, "total_net", "invoice"), currency),
            total_vat=Money(_decimal(raw, "total_vat", "invoice"), currency),
            total_gross=Money(_decimal(raw, "total_gross", "invoice"), currency),
            po_number=_optional(raw, "po_number"), commitment_number=_optional(raw, "commitment_number"),
            service_code=_optional(raw, "service_code"), credited_invoice=_optional(raw, "credited_invoice"),
            delivery_date=_date(raw, "delivery_date", "invoice") if raw.get("delivery_date") else None,
            pdf_name=_optional(raw, "pdf") or f"{_text(raw, 'number', 'invoice')}.pdf",
        )
    except ValueError as exc:
        raise InvalidPayload("invoice", f"is inconsistent: {exc}") from exc


def customer_from_dict(raw: dict[str, Any]) -> Customer:
    return Customer(
        code=_text(raw, "code", "customer"), legal_name=_text(raw, "legal_name", "customer"),
        category=_optional(raw, "category") or "", address=_address(raw.get("address"), "customer.address"),
        siret=_digits(raw, "siret"), siren=_digits(raw, "siren"), vat_number=_optional(raw, "vat_number"),
        invoice_channel=_optional(raw, "invoice_channel"), portal_supplier_id=_optional(raw, "portal_supplier_id"),
        chorus_service_code=_optional(raw, "chorus_service_code"), billing_email=_optional(raw, "billing_email"),
        language=(_optional(raw, "language") or _optional(raw, "dunning_language") or "fr").lower(),
    )


def seller_from_dict(raw: dict[str, Any]) -> Seller:
    address = _address(raw.get("address"), "seller.address")
    if address is None:
        raise InvalidPayload("seller.address", "is missing")
    return Seller(
        name=_text(raw, "name", "seller"), siret=_digits(raw, "siret") or _text(raw, "siret", "seller"),
        vat_number=_text(raw, "vat_number", "seller"), iban=_text(raw, "iban", "seller").replace(" ", ""),
        address=address, email=_text(raw, "email", "seller"), siren=_digits(raw, "siren"),
        bic=_optional(raw, "bic"), phone=_optional(raw, "phone"),
    )


def job_to_payload(job: InvoiceJob) -> dict[str, Any]:
    """The payload for ``job`` (what the collect step writes; used by tests and the bench)."""
    inv, cust, seller = job.invoice, job.customer, job.seller
    return {
        "invoice": {
            "number": inv.number, "kind": inv.kind, "issue_date": inv.issue_date.isoformat(),
            "due_date": inv.due_date.isoformat(), "currency": inv.currency, "po_number": inv.po_number,
            "commitment_number": inv.commitment_number, "service_code": inv.service_code,
            "credited_invoice": inv.credited_invoice,
            "delivery_date": inv.delivery_date.isoformat() if inv.delivery_date else None,
            "total_net": str(inv.total_net.amount), "total_vat": str(inv.total_vat.amount),
            "total_gross": str(inv.total_gross.amount), "pdf": inv.pdf_name,
            "lines": [{"description": line.description, "quantity": str(line.quantity),
                       "unit_price": str(line.unit_price), "vat_rate": str(line.vat_rate),
                       "unit_code": line.unit_code, "order_line": line.order_line,
                       "vat_category": line.vat_category} for line in inv.lines],
        },
        "customer": {
            "code": cust.code, "legal_name": cust.legal_name, "category": cust.category,
            "address": _address_dict(cust.address), "siret": cust.siret, "siren": cust.siren,
            "vat_number": cust.vat_number, "invoice_channel": cust.invoice_channel,
            "portal_supplier_id": cust.portal_supplier_id, "chorus_service_code": cust.chorus_service_code,
            "billing_email": cust.billing_email, "language": cust.language,
        },
        "seller": {
            "name": seller.name, "siret": seller.siret, "siren": seller.siren, "vat_number": seller.vat_number,
            "iban": seller.iban, "bic": seller.bic, "email": seller.email, "phone": seller.phone,
            "address": _address_dict(seller.address),
        },
    }


def _line(raw: Any, where: str) -> InvoiceLine:
    if not isinstance(raw, dict):
        raise InvalidPayload(where, "is not an object")
    order_line = raw.get("order_line")
    if order_line is not None and (isinstance(order_line, bool) or not isinstance(order_line, int)):
        raise InvalidPayload(f"{where}.order_line", "must be a whole number")
    return InvoiceLine(description=_text(raw, "description", where), quantity=_decimal(raw, "quantity", where),
                       unit_price=_decimal(raw, "unit_price", where), vat_rate=_decimal(raw, "vat_rate", where),
                       unit_code=_optional(raw, "unit_code") or "C62", order_line=order_line,
                       vat_category=_optional(raw, "vat_category"))


def _address(raw: Any, where: str) -> PostalAddress | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InvalidPayload(where, "is not an object")
    return PostalAddress(line1=_text(raw, "line1", where), postcode=_optional(raw, "postcode") or "",
                         city=_text(raw, "city", where), country=_text(raw, "country", where).upper(),
                         line2=_optional(raw, "line2"))


def _address_dict(address: PostalAddress | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {"line1": address.line1, "line2": address.line2, "postcode": address.postcode, "city": address.city,
            "country": address.country}


def _obj(raw: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise InvalidPayload(f"{where}.{key}" if where != "payload" else key, "is missing or not an object")
    return value


def _text(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidPayload(f"{where}.{key}", "is missing or empty")
    return value.strip()


def _optional(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _digits(raw: dict[str, Any], key: str) -> str | None:
    value = _optional(raw, key)
    return value.replace(" ", "") if value else None


def _decimal(raw: dict[str, Any], key: str, where: str) -> Decimal:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidPayload(f"{where}.{key}", f"must be a number written as text such as \"12.50\", not {value!r}")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise InvalidPayload(f"{where}.{key}", f"is not a number: {value!r}") from None


def _date(raw: dict[str, Any], key: str, where: str) -> date:
    try:
        return date.fromisoformat(_text(raw, key, where))
    except ValueError:
        raise InvalidPayload(f"{where}.{key}", "must be a date written YYYY-MM-DD") from None
