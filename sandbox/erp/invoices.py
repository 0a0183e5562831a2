"""Invoices and credit notes: the (slow) list, the document with its lines, payments, dispute
flag and promises to pay, and its PDF."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from sandbox.app_clock import clock
from sandbox.app_db import db
from sandbox.erp.amounts import parse_amount
from sandbox.erp.auth import login_required
from sandbox.erp.invoice_pdf import render_invoice_pdf
from sandbox.erp.ledger import PAGE_SIZE, customer_condition, residual_of
from sandbox.erp.models import DISPUTE_REASONS, Company, Customer, Invoice, PromiseToPay
from sandbox.erp.slow_list import wait_for_list
from sandbox.erp.vat_categories import VAT_CATEGORIES

bp = Blueprint("invoices", __name__, url_prefix="/invoices")
LIST_ARGS = ("customer", "number", "issued_since")


def _invoice_or_404(number: str) -> Invoice:
    invoice = db().scalar(select(Invoice).where(Invoice.number == number))
    if invoice is None:
        abort(404)
    return invoice


def _list_query() -> dict[str, str]:
    return {name: request.args[name] for name in LIST_ARGS if request.args.get(name)}


@bp.route("")
@login_required
def index():
    return render_template("invoices.html", query=_list_query(), page=request.args.get("page", "1"))


@bp.route("/list")
@login_required
def fragment():
    wait_for_list()
    session = db()
    query = select(Invoice).join(Customer, Invoice.customer_id == Customer.id)
    if request.args.get("customer", "").strip():
        query = query.where(customer_condition(request.args["customer"]))
    if request.args.get("number", "").strip():
        query = query.where(Invoice.number.ilike(f"%{request.args['number'].strip()}%"))
    try:
        since = date.fromisoformat(request.args.get("issued_since", ""))
        query = query.where(Invoice.issue_date >= since)
    except ValueError:
        pass
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    page_count = max(1, -(-total // PAGE_SIZE))
    try:
        page = min(max(1, int(request.args.get("page", "1"))), page_count)
    except ValueError:
        page = 1
    invoices = session.scalars(
        query.options(joinedload(Invoice.customer))
        .order_by(Invoice.issue_date.desc(), Invoice.number.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return render_template("_invoices_table.html", invoices=invoices, page=page, page_count=page_count,
                           total=total, query=_list_query())


@bp.route("/<number>")
@login_required
def show(number: str):
    invoice = _invoice_or_404(number)
    return render_template("invoice.html", invoice=invoice, residual=residual_of(db(), invoice),
                           reasons=DISPUTE_REASONS, today=clock().today(), vat_categories=VAT_CATEGORIES)


@bp.route("/<number>/pdf")
@login_required
def pdf(number: str):
    invoice = _invoice_or_404(number)
    company = db().scalar(select(Company))
    return Response(
        render_invoice_pdf(invoice, company),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{invoice.number}.pdf"'},
    )


@bp.route("/<number>/dispute", methods=["POST"])
@login_required
def dispute(number: str):
    invoice = _invoice_or_404(number)
    if request.form.get("action") == "clear":
        invoice.disputed = False
        invoice.dispute_reason = None
        invoice.dispute_comment = ""
        invoice.dispute_opened_on = None
        invoice.dispute_opened_by = None
        flash(f"Dispute on {number} cleared.", "success")
    else:
        reason = request.form.get("reason", "")
        if reason not in DISPUTE_REASONS:
            flash("Choose a dispute reason.", "error")
            return redirect(url_for("invoices.show", number=number) + "#dispute")
        invoice.disputed = True
        invoice.dispute_reason = reason
        invoice.dispute_comment = request.form.get("comment", "").strip()
        invoice.dispute_opened_on = clock().today()
        invoice.dispute_opened_by = g.user.username
        flash(f"{number} flagged as disputed.", "success")
    db().commit()
    return redirect(url_for("invoices.show", number=number))


@bp.route("/<number>/promise", methods=["POST"])
@login_required
def promise(number: str):
    invoice = _invoice_or_404(number)
    errors: list[str] = []
    try:
        promised_date = date.fromisoformat(request.form.get("promised_date", ""))
    except ValueError:
        errors.append("Give the promised date (YYYY-MM-DD).")
    try:
        amount = parse_amount(request.form.get("amount", ""))
        if amount <= 0:
            errors.append("The promised amount must be positive.")
    except ValueError as exc:
        errors.append(str(exc))
    if errors:
        for message in errors:
            flash(message, "error")
        return redirect(url_for("invoices.show", number=number) + "#promise")
    invoice.promises.insert(0, PromiseToPay(
        promised_date=promised_date, amount=amount, created_at=clock().now(), created_by=g.user.username
    ))
    db().commit()
    flash(f"Promise to pay recorded on {number}.", "success")
    return redirect(url_for("invoices.show", number=number))
