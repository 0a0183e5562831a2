"""Portal A's invoice pages: the list of submitted invoices (searchable by invoice number, which
bots check before uploading), the single upload form, the confirmation with the submission
reference, and an invoice's detail with its status history."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.utils import secure_filename

from sandbox.app_clock import PARIS, clock
from sandbox.app_db import db
from sandbox.portal_a.auth import login_required
from sandbox.portal_a.models import PurchaseOrder, Submission
from sandbox.portal_a.review import history, rejection_reason
from sandbox.portal_a.validation import CURRENCIES, InvoiceEntry, check_invoice_form
from sandbox.portal_common.models import invoice_key
from sandbox.portal_common.pdf_files import pdf_problem, read_upload, store_pdf
from sandbox.portal_common.submissions import (
    already_submitted,
    duplicate_message,
    own_submission,
    save_submission,
    supplier_page,
)

bp = Blueprint("invoices", __name__)

PAGE_SIZE = 20


@bp.get("/")
def home():
    return redirect(url_for("invoices.list_invoices"))


@bp.get("/invoices")
@login_required
def list_invoices():
    searched = request.args.get("invoice_number", "").strip()
    page = max(1, request.args.get("page", 1, type=int))
    count, rows = supplier_page(Submission, searched, page, PAGE_SIZE)
    now = clock().now()
    return render_template("portal_a/invoice_list.html", rows=[(sub, history(sub, now)[-1]) for sub in rows],
                           searched=searched, page=page, count=count,
                           has_next=page * PAGE_SIZE < count)


@bp.route("/invoices/new", methods=["GET", "POST"])
@login_required
def new_invoice():
    errors: dict[str, str] = {}
    if request.method == "POST":
        entry, errors = check_invoice_form(request.form, clock().today())
        upload = request.files.get("invoice_pdf")
        data = read_upload(upload.stream) if upload and upload.filename else b""
        problem = pdf_problem(data)
        if problem:
            errors["invoice_pdf"] = problem
        if entry is not None and not errors:
            if already_submitted(Submission, entry.invoice_number):
                errors["invoice_number"] = duplicate_message(entry.invoice_number)
            else:
                sub = _record(entry, secure_filename(upload.filename) or "invoice.pdf", data)
                if sub is None:
                    errors["invoice_number"] = duplicate_message(entry.invoice_number)
                else:
                    return redirect(url_for("invoices.confirmation", reference=sub.reference))
    return render_template("portal_a/invoice_form.html", errors=errors, form=request.form,
                           currencies=CURRENCIES)


@bp.get("/invoices/<reference>/confirmation")
@login_required
def confirmation(reference: str):
    return render_template("portal_a/confirmation.html", sub=own_submission(Submission, reference))


@bp.get("/invoices/<reference>")
@login_required
def detail(reference: str):
    sub = own_submission(Submission, reference)
    return render_template("portal_a/invoice_detail.html", sub=sub, events=history(sub, clock().now()))


def _record(entry: InvoiceEntry, filename: str, data: bytes) -> Submission | None:
    """Store the PDF and the submission with its reference; None if a twin got in first."""
    stored = store_pdf(Path(current_app.config["DATA_DIR"]), filename, data)
    po = db().scalar(select(PurchaseOrder).where(PurchaseOrder.po_number == entry.po_number))
    now = clock().now()
    sub = Submission(
        supplier_id=g.user.supplier_id, user_id=g.user.id, po_number=entry.po_number,
        invoice_number=entry.invoice_number, invoice_key=invoice_key(entry.invoice_number),
        invoice_date=entry.invoice_date, amount_excl_tax=entry.amount_excl_tax, vat=entry.vat,
        total=entry.total, currency=entry.currency, pdf_filename=stored.filename,
        pdf_path=stored.path, pdf_sha256=stored.sha256, pdf_size=stored.size, submitted_at=now,
        rejection_reason=rejection_reason(entry, g.user.supplier_id, po))
    return save_submission(sub, lambda sub: f"CPA-{now.astimezone(PARIS).year}-{sub.id:06d}")
