"""Loading a seed (the demo-data generator's ``"erp"`` section, or a hand-written one) into an
empty ERP: it replaces everything. Seeded records obey the same rules as the screens.

Seed format (money as strings "1234.50", dates "YYYY-MM-DD"; ``null`` where optional)::

    {"company": {"name", "siren", "siret", "vat_number", "iban", "bic", "email", "phone",
                 "address": {"line1", "line2", "postcode", "city", "country"}},
     "users": [{"username", "password", "full_name"}],
     "customers": [{"code", "legal_name", "category": "large_account|sme|public_body|foreign",
                    "siren", "siret", "vat_number", "address": {...as above},
                    "payment_terms": {"days": 30, "end_of_month": false}, "credit_limit", "currency",
                    "invoice_channel": "portal_a|portal_b|chorus_pro|email|letter",
                    "portal_supplier_id", "chorus_service_code", "billing_email",
                    "dunning_contact": {"name", "email", "phone"}, "dunning_language": "fr|en",
                    "ibans": ["FR76..."], "parent_code",
                    "notes": [{"created_at": "ISO 8601 with offset", "author", "text"}]}],
     "invoices": [{"number", "kind": "invoice|credit_note", "customer_code", "issue_date", "due_date",
                   "currency", "po_number", "commitment_number", "service_code", "credited_invoice",
                   "lines": [{"description", "quantity", "unit_price", "vat_rate",
                              "vat_category" (optional), "order_line" (optional)}],
                   "total_net", "total_vat", "total_gross",
                   "dispute": {"reason", "opened_on", "comment"} | null,
                   "promise_to_pay": {"date", "amount"} | null}],
     "payments": [{"customer_code", "date", "amount", "currency", "payer", "bank_reference",
                   "allocations": [{"invoice", "amount"}],
                   "write_offs": [{"invoice", "amount", "reason"}]}]}

Document totals are positive, credit notes included; allocations are signed like the open item
(negative on a credit note). A whole generator output (with an ``"erp"`` key) is accepted too.

A line's ``vat_category`` (UNTDID 5305: S, Z, E, AE, K, G, O) defaults to what the rate and the
customer's country say (``vat_categories.default_category``). A line's ``order_line`` (the line of
the customer's purchase order it invoices) defaults, on a document with a PO number, to the line's
position: the ERP invoices an order's lines in the order's order.
"""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from sandbox.app_clock import PARIS
from sandbox.erp.allocation_rules import LineInput, OpenItem, plan_allocation
from sandbox.erp.customer_checks import check_customer
from sandbox.erp.models import (
    DISPUTE_REASONS,
    Allocation,
    Company,
    Customer,
    CustomerIban,
    CustomerNote,
    Invoice,
    InvoiceLine,
    Payment,
    PromiseToPay,
    User,
    WriteOff,
)
from sandbox.erp.posting import post_payment
from sandbox.erp.totals import invoice_totals, line_net
from sandbox.erp.vat_categories import category_problem, default_category


class SeedError(ValueError):
    """The seed is not acceptable; the message names the record."""


def _decimal(value: Any, where: str) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise SeedError(f"{where}: {value!r} is not a number") from exc


def _date(value: Any, where: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise SeedError(f"{where}: {value!r} is not a date YYYY-MM-DD") from exc


def clear(session: Session) -> None:
    """Delete every row, children first."""
    for model in (WriteOff, Allocation, Payment, PromiseToPay, InvoiceLine, Invoice, CustomerNote,
                  CustomerIban, Customer, User, Company):
        session.execute(delete(model))


def load_seed(session: Session, data: dict, now: datetime) -> dict[str, int]:
    """Replace the ERP's contents with ``data``; return how many of each record were loaded."""
    if "erp" in data:
        data = data["erp"]
    clear(session)
    if data.get("company"):
        session.add(_company(data["company"]))
    for user in data.get("users", []):
        session.add(User(
            username=user["username"],
            password_hash=generate_password_hash(user["password"]),
            full_name=user.get("full_name") or user["username"],
        ))
    customers = _customers(session, data.get("customers", []))
    invoices = _invoices(session, data.get("invoices", []), customers, now)
    payments = _payments(session, data.get("payments", []), customers, invoices)
    session.flush()
    return {"users": len(data.get("users", [])), "customers": len(customers),
            "invoices": len(invoices), "payments": payments}


def append_invoices(session: Session, raws: list[dict], now: datetime) -> int:
    """Add invoices (seed format) to the customers already in the books."""
    customers = {c.code: c for c in session.scalars(select(Customer))}
    existing = {inv.number: inv for inv in session.scalars(select(Invoice))}
    _invoices(session, raws, customers, now, existing)
    session.flush()
    return len(raws)


def _company(raw: dict) -> Company:
    address = raw.get("address", {})
    return Company(
        name=raw["name"], siren=raw["siren"], siret=raw["siret"], vat_number=raw["vat_number"],
        iban=raw["iban"], bic=raw.get("bic", ""), email=raw.get("email", ""), phone=raw.get("phone", ""),
        address_line1=address.get("line1", ""), address_line2=address.get("line2") or "",
        postcode=address.get("postcode", ""), city=address.get("city", ""), country=address.get("country", "FR"),
    )


def customer_form_fields(raw: dict) -> dict[str, str]:
    """A seed customer as the fields of the customer form, so one set of rules checks both."""
    address = raw.get("address") or {}
    terms = raw.get("payment_terms") or {}
    contact = raw.get("dunning_contact") or {}
    fields = {
        "code": raw.get("code"), "legal_name": raw.get("legal_name"), "category": raw.get("category"),
        "siren": raw.get("siren"), "siret": raw.get("siret"), "vat_number": raw.get("vat_number"),
        "address_line1": address.get("line1"), "address_line2": address.get("line2"),
        "postcode": address.get("postcode"), "city": address.get("city"), "country": address.get("country"),
        "payment_terms_days": str(terms.get("days", "")),
        "payment_terms_end_of_month": "1" if terms.get("end_of_month") else "",
        "credit_limit": raw.get("credit_limit"), "invoice_channel": raw.get("invoice_channel"),
        "portal_supplier_id": raw.get("portal_supplier_id"), "chorus_service_code": raw.get("chorus_service_code"),
        "billing_email": raw.get("billing_email"), "dunning_contact_name": contact.get("name"),
        "dunning_contact_email": contact.get("email"), "dunning_contact_phone": contact.get("phone"),
        "dunning_language": raw.get("dunning_language"), "ibans": "\n".join(raw.get("ibans") or []),
        "parent_code": raw.get("parent_code"),
    }
    return {key: "" if value is None else str(value) for key, value in fields.items()}


def _customers(session: Session, raws: list[dict]) -> dict[str, Customer]:
    customers: dict[str, Customer] = {}
    parents: dict[str, str] = {}
    for raw in raws:
        values, errors = check_customer(customer_form_fields(raw))
        if errors:
            raise SeedError(f"customer {raw.get('code')}: " + "; ".join(errors.values()))
        if values["code"] in customers:
            raise SeedError(f"customer {values['code']} appears twice")
        ibans = values.pop("ibans")
        parent_code = values.pop("parent_code")
        customer = Customer(**values, currency=raw.get("currency") or "EUR")
        customer.ibans = [CustomerIban(iban=iban) for iban in ibans]
        customer.notes = [
            CustomerNote(created_at=datetime.fromisoformat(note["created_at"]), author=note["author"],
                         text=note["text"])
            for note in raw.get("notes", [])
        ]
        session.add(customer)
        customers[customer.code] = customer
        if parent_code:
            parents[customer.code] = parent_code
    for code, parent_code in parents.items():
        if parent_code not in customers:
            raise SeedError(f"customer {code}: parent {parent_code} does not exist")
        customers[code].parent = customers[parent_code]
    return customers


def _invoices(session: Session, raws: list[dict], customers: dict[str, Customer], now: datetime,
              existing: dict[str, Invoice] | None = None) -> dict[str, Invoice]:
    """Add the invoices; a credit note may credit one of them or one of ``existing``."""
    invoices: dict[str, Invoice] = {}
    known = dict(existing or {})
    company = session.scalar(select(Company))
    seller_country = company.country if company else "FR"
    credited: dict[str, str] = {}
    for raw in raws:
        number = raw.get("number")
        where = f"invoice {number}"
        if not number or number in invoices or number in known:
            raise SeedError(f"{where}: missing or duplicate number")
        if raw.get("kind") not in ("invoice", "credit_note"):
            raise SeedError(f"{where}: kind must be invoice or credit_note")
        customer = customers.get(raw.get("customer_code"))
        if customer is None:
            raise SeedError(f"{where}: customer {raw.get('customer_code')} does not exist")
        lines = []
        for position, line in enumerate(raw.get("lines") or [], start=1):
            quantity = _decimal(line["quantity"], where)
            unit_price = _decimal(line["unit_price"], where)
            vat_rate = _decimal(line["vat_rate"], where)
            lines.append(InvoiceLine(
                position=position, description=line["description"], quantity=quantity,
                unit_price=unit_price, vat_rate=vat_rate, net=line_net(quantity, unit_price),
                vat_category=_vat_category(line, vat_rate, seller_country, customer, f"{where} line {position}"),
                order_line=_order_line(line, position if raw.get("po_number") else None, f"{where} line {position}"),
            ))
        if not lines:
            raise SeedError(f"{where}: an invoice needs lines")
        totals = invoice_totals((item.quantity, item.unit_price, item.vat_rate) for item in lines)
        given = tuple(_decimal(raw.get(k), where) for k in ("total_net", "total_vat", "total_gross"))
        if given != (totals.net, totals.vat, totals.gross):
            raise SeedError(f"{where}: totals {given} do not match its lines {totals}")
        invoice = Invoice(
            number=number, kind=raw["kind"], customer=customer,
            issue_date=_date(raw.get("issue_date"), where), due_date=_date(raw.get("due_date"), where),
            currency=raw.get("currency") or "EUR", po_number=raw.get("po_number"),
            commitment_number=raw.get("commitment_number"), service_code=raw.get("service_code"),
            total_net=totals.net, total_vat=totals.vat, total_gross=totals.gross, lines=lines,
        )
        dispute = raw.get("dispute")
        if dispute:
            if dispute.get("reason") not in DISPUTE_REASONS:
                raise SeedError(f"{where}: dispute reason must be one of {', '.join(DISPUTE_REASONS)}")
            invoice.disputed = True
            invoice.dispute_reason = dispute["reason"]
            invoice.dispute_comment = dispute.get("comment") or ""
            invoice.dispute_opened_on = _date(dispute.get("opened_on"), where)
            invoice.dispute_opened_by = "seed"
        promise = raw.get("promise_to_pay")
        if promise:
            invoice.promises = [PromiseToPay(
                promised_date=_date(promise.get("date"), where), amount=_decimal(promise.get("amount"), where),
                created_at=now, created_by="seed",
            )]
        if raw.get("credited_invoice"):
            credited[number] = raw["credited_invoice"]
        session.add(invoice)
        invoices[number] = invoice
    known.update(invoices)
    for number, target in credited.items():
        if target not in known:
            raise SeedError(f"credit note {number}: credited invoice {target} does not exist")
        invoices[number].credited_invoice = known[target]
    return invoices


def _vat_category(line: dict, rate: Decimal, seller_country: str, customer: Customer, where: str) -> str | None:
    stated = line.get("vat_category")
    if stated in (None, ""):
        return default_category(rate, seller_country, customer.country, customer.vat_number)
    code = str(stated).strip().upper()
    problem = category_problem(code, rate)
    if problem:
        raise SeedError(f"{where}: {problem}")
    return code


def _order_line(line: dict, default: int | None, where: str) -> int | None:
    stated = line.get("order_line")
    if stated in (None, ""):
        return default
    if isinstance(stated, bool) or not str(stated).isdigit() or int(stated) < 1:
        raise SeedError(f"{where}: order line {stated!r} is not a line number")
    return int(stated)


def _payments(session: Session, raws: list[dict], customers: dict[str, Customer], invoices: dict[str, Invoice]) -> int:
    session.flush()
    open_amounts = {number: inv.signed_total for number, inv in invoices.items()}
    for index, raw in enumerate(sorted(raws, key=lambda r: r.get("date", ""))):
        where = f"payment {raw.get('bank_reference') or index}"
        customer = customers.get(raw.get("customer_code"))
        if customer is None:
            raise SeedError(f"{where}: customer {raw.get('customer_code')} does not exist")
        items = {
            number: OpenItem(number, open_amounts[number], inv.is_credit_note)
            for number, inv in invoices.items()
            if inv.customer is customer and open_amounts[number] != 0
        }
        write_offs = {w["invoice"]: w for w in raw.get("write_offs", [])}
        lines = [
            LineInput(a["invoice"], str(a["amount"]), str(write_offs.get(a["invoice"], {}).get("amount", "")),
                      write_offs.get(a["invoice"], {}).get("reason", ""))
            for a in raw.get("allocations", [])
        ]
        if set(write_offs) - {a["invoice"] for a in raw.get("allocations", [])}:
            raise SeedError(f"{where}: a write-off names an invoice the payment does not allocate to")
        plan, problems = plan_allocation(_decimal(raw.get("amount"), where), items, lines)
        if plan is None:
            raise SeedError(f"{where}: " + "; ".join(p.message for p in problems))
        payment_date = _date(raw.get("date"), where)
        post_payment(
            session, customer=customer, payment_date=payment_date, currency=raw.get("currency") or "EUR",
            payer=raw.get("payer") or customer.legal_name, bank_reference=raw.get("bank_reference") or "",
            plan=plan, posted_by="seed", posted_at=datetime.combine(payment_date, time(10, 0), PARIS), source="seed",
        )
        for line in plan.lines:
            open_amounts[line.number] -= line.allocate
    return len(raws)
