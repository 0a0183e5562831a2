"""Customers: the list with a search, the record with its open items and notes, and the form
that creates or edits one (SIREN/SIRET, VAT and IBANs checked before anything is saved)."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from sandbox.app_clock import clock
from sandbox.app_db import db
from sandbox.erp.auth import login_required
from sandbox.erp.customer_checks import check_customer
from sandbox.erp.ledger import PAGE_SIZE, OpenItemFilters, customer_condition, open_items
from sandbox.erp.models import (
    CATEGORIES,
    CHANNELS,
    LANGUAGES,
    Customer,
    CustomerIban,
    CustomerNote,
)

bp = Blueprint("customers", __name__, url_prefix="/customers")


def _customer_or_404(code: str) -> Customer:
    customer = db().scalar(select(Customer).where(Customer.code == code))
    if customer is None:
        abort(404)
    return customer


def customer_fields(customer: Customer) -> dict[str, str]:
    """A customer as the text of its form's fields."""
    fields = {
        name: getattr(customer, name) or ""
        for name in ("code", "legal_name", "category", "siren", "siret", "vat_number", "address_line1",
                     "address_line2", "postcode", "city", "country", "invoice_channel", "portal_supplier_id",
                     "chorus_service_code", "billing_email", "dunning_contact_name", "dunning_contact_email",
                     "dunning_contact_phone", "dunning_language")
    }
    fields["payment_terms_days"] = str(customer.payment_terms_days)
    fields["payment_terms_end_of_month"] = "1" if customer.payment_terms_end_of_month else ""
    fields["credit_limit"] = str(customer.credit_limit)
    fields["ibans"] = "\n".join(i.iban for i in customer.ibans)
    fields["parent_code"] = customer.parent.code if customer.parent else ""
    return fields


def _render_form(fields: dict[str, str], errors: dict[str, str], customer: Customer | None, status: int = 200):
    return render_template(
        "customer_form.html", fields=fields, errors=errors, customer=customer,
        categories=CATEGORIES, channels=CHANNELS, languages=LANGUAGES,
    ), status


def _save(customer: Customer | None):
    """Check the submitted form; save and go to the record, or show the form again with errors."""
    session = db()
    fields = request.form.to_dict()
    if customer is not None:
        fields["code"] = customer.code
    values, errors = check_customer(fields)
    if customer is None and "code" not in errors:
        if session.scalar(select(Customer).where(Customer.code == values["code"])):
            errors["code"] = f"Customer code {values['code']} is already used."
    parent = None
    if values["parent_code"]:
        parent = session.scalar(select(Customer).where(Customer.code == values["parent_code"]))
        if parent is None:
            errors["parent_code"] = f"No customer has the code {values['parent_code']}."
        elif customer is not None and parent.id == customer.id:
            errors["parent_code"] = "A customer cannot be its own parent."
    if errors:
        return _render_form(fields, errors, customer, 422)
    ibans = values.pop("ibans")
    values.pop("parent_code")
    if customer is None:
        customer = Customer(currency="EUR")
        session.add(customer)
    for name, value in values.items():
        setattr(customer, name, value)
    customer.parent = parent
    customer.ibans = [CustomerIban(iban=iban) for iban in ibans]
    session.commit()
    flash(f"Customer {customer.code} saved.", "success")
    return redirect(url_for("customers.show", code=customer.code))


@bp.route("")
@login_required
def index():
    session = db()
    q = request.args.get("q", "").strip()
    query = select(Customer)
    if q:
        query = query.where(customer_condition(q))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    page_count = max(1, -(-total // PAGE_SIZE))
    page = min(page, page_count)
    customers = session.scalars(query.order_by(Customer.code).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return render_template("customers.html", customers=customers, q=q, page=page, page_count=page_count,
                           total=total, categories=CATEGORIES, channels=CHANNELS)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if request.method == "POST":
        return _save(None)
    return _render_form({"country": "FR", "payment_terms_days": "30", "credit_limit": "0.00",
                         "dunning_language": "fr"}, {}, None)


@bp.route("/<code>")
@login_required
def show(code: str):
    customer = _customer_or_404(code)
    today = clock().today()
    items = open_items(db(), OpenItemFilters(customer_id=customer.id), today)
    return render_template("customer.html", customer=customer, items=items, today=today,
                           categories=CATEGORIES, channels=CHANNELS, languages=LANGUAGES,
                           balance=sum((r.open_amount for r in items), Decimal("0.00")))


@bp.route("/<code>/edit", methods=["GET", "POST"])
@login_required
def edit(code: str):
    customer = _customer_or_404(code)
    if request.method == "POST":
        return _save(customer)
    return _render_form(customer_fields(customer), {}, customer)


@bp.route("/<code>/notes", methods=["POST"])
@login_required
def add_note(code: str):
    customer = _customer_or_404(code)
    text = request.form.get("note", "").strip()
    if not text:
        flash("The note is empty.", "error")
    else:
        customer.notes.append(CustomerNote(created_at=clock().now(), author=g.user.username, text=text))
        db().commit()
        flash("Note added.", "success")
    return redirect(url_for("customers.show", code=code) + "#notes")
