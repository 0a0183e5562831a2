"""The cash-application screen: find a customer's open items, enter a payment (date, amount,
payer, bank reference), allocate it to one or several items, partially if need be, write off
what the customer did not pay with a reason code, review it in a confirmation dialog, post it,
and read the confirmation number.

Posting is idempotent per form (a hidden form key): a bot that retries a confirmation after a
timeout lands on the payment already posted instead of posting it twice. A bank reference can be
posted only once.
"""
from __future__ import annotations

import secrets
from datetime import date

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from sqlalchemy import select

from sandbox.app_clock import clock
from sandbox.app_db import db
from sandbox.erp.allocation_rules import LineInput, Plan, Problem, plan_allocation
from sandbox.erp.amounts import parse_amount
from sandbox.erp.auth import login_required
from sandbox.erp.ledger import OpenItemFilters, customer_condition, open_items
from sandbox.erp.models import WRITE_OFF_REASONS, Customer, Payment
from sandbox.erp.posting import customer_open_items, payment_with_bank_reference, post_payment

bp = Blueprint("cash", __name__)
CURRENCIES = ("EUR",)


def _render(customer: Customer | None, matches: list[Customer], search: str, values: dict[str, str],
            problems: list[Problem], plan: Plan | None = None, status: int = 200):
    rows = []
    if customer is not None:
        rows = open_items(db(), OpenItemFilters(customer_id=customer.id), clock().today())
    return render_template(
        "cash_application.html", customer=customer, matches=matches, search=search, values=values,
        rows=rows, problems=problems, field_problems={p.field: p.message for p in problems if p.field},
        plan=plan, reasons=WRITE_OFF_REASONS, currencies=CURRENCIES,
    ), status


def _blank_values() -> dict[str, str]:
    return {"payment_date": clock().today().isoformat(), "currency": "EUR", "form_key": secrets.token_hex(16)}


@bp.route("/cash-application")
@login_required
def start():
    search = request.args.get("customer", "").strip()
    matches: list[Customer] = []
    customer = None
    problems: list[Problem] = []
    if search:
        matches = list(db().scalars(
            select(Customer).where(customer_condition(search)).order_by(Customer.code).limit(50)
        ))
        exact = [c for c in matches if c.code == search.upper()]
        if exact or len(matches) == 1:
            customer = (exact or matches)[0]
            matches = []
        elif not matches:
            problems.append(Problem(None, f"No customer matches “{search}”."))
    return _render(customer, matches, search, _blank_values(), problems)


def _read_lines(form) -> list[LineInput]:
    numbers = sorted({key.split("-", 1)[1] for key in form if key.startswith(("allocate-", "writeoff-"))})
    return [
        LineInput(number, form.get(f"allocate-{number}", ""), form.get(f"writeoff-{number}", ""),
                  form.get(f"reason-{number}", ""))
        for number in numbers
    ]


@bp.route("/cash-application", methods=["POST"])
@login_required
def submit():
    session = db()
    form = request.form
    customer = session.scalar(select(Customer).where(Customer.code == form.get("customer_code", "")))
    if customer is None:
        abort(400, "Unknown customer")
    values = form.to_dict()
    form_key = form.get("form_key", "")
    already = session.scalar(select(Payment).where(Payment.form_key == form_key)) if form_key else None
    if already is not None:
        return redirect(url_for("cash.show_payment", confirmation=already.confirmation_number))
    if form.get("action") == "cancel":
        return _render(customer, [], customer.code, values, [])

    problems: list[Problem] = []
    try:
        payment_date = date.fromisoformat(form.get("payment_date", ""))
    except ValueError:
        problems.append(Problem("payment_date", "Give the payment date (YYYY-MM-DD)."))
    try:
        amount = parse_amount(form.get("amount", ""))
    except ValueError as exc:
        problems.append(Problem("amount", str(exc)))
        amount = None
    payer = form.get("payer", "").strip()
    if not payer:
        problems.append(Problem("payer", "Give the payer's name as shown on the bank statement."))
    bank_reference = form.get("bank_reference", "").strip()
    if not bank_reference:
        problems.append(Problem("bank_reference", "Give the bank reference of the payment."))
    else:
        duplicate = payment_with_bank_reference(session, bank_reference)
        if duplicate is not None:
            problems.append(Problem("bank_reference", (
                f"Bank reference {bank_reference} was already posted on {duplicate.payment_date.isoformat()} "
                f"(confirmation {duplicate.confirmation_number})."
            )))
    currency = form.get("currency", "EUR")
    if currency not in CURRENCIES or currency != customer.currency:
        problems.append(Problem("currency", f"This customer's account is kept in {customer.currency}."))
    plan = None
    if amount is not None:
        items = customer_open_items(session, customer, clock().today())
        plan, allocation_problems = plan_allocation(amount, items, _read_lines(form))
        problems += allocation_problems
    if problems:
        return _render(customer, [], customer.code, values, problems, status=422)
    if form.get("action") != "confirm":
        return _render(customer, [], customer.code, values, [], plan=plan)
    payment = post_payment(
        session, customer=customer, payment_date=payment_date, currency=currency, payer=payer,
        bank_reference=bank_reference, plan=plan, posted_by=g.user.username, posted_at=clock().now(),
        source="screen", form_key=form_key or None,
    )
    session.commit()
    return redirect(url_for("cash.show_payment", confirmation=payment.confirmation_number, posted=1))


@bp.route("/payments")
@login_required
def payments():
    recent = db().scalars(select(Payment).order_by(Payment.posted_at.desc(), Payment.id.desc()).limit(50))
    return render_template("payments.html", payments=list(recent))


@bp.route("/payments/<confirmation>")
@login_required
def show_payment(confirmation: str):
    payment = db().scalar(select(Payment).where(Payment.confirmation_number == confirmation))
    if payment is None:
        abort(404)
    return render_template("payment.html", payment=payment, reasons=WRITE_OFF_REASONS,
                           just_posted=request.args.get("posted") == "1")
