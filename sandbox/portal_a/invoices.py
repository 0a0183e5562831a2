"""Portal A's invoice pages: the list of submitted invoices (searchable by invoice number, which
bots check before uploading), the single upload form, the confirmation with the submission
reference, and an invoice's detail with its status history."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.utils import secure_filename

from sandbox.portal_a.auth import login_required
from sandbox.portal_a.models import PurchaseOrder, Submission, invoice_key
from sandbox.portal_a.review import TIMING, rejection_reason
from sandbox.portal_a.validation import CURRENCIES, InvoiceEntry, check_invoice_form
from sandbox.portal_common.clock import clock
from sandbox.portal_common.db import db
from sandbox.portal_common.lifecycle import StatusEvent, status_history
from sandbox.portal_common.pdf_files import pdf_problem, read_upload, store_pdf

bp = Blueprint("invoices", __name__)

PAGE_SIZE = 20
BUYER_TZ = ZoneInfo("Europe/Paris")


def duplicate_message(invoice_number: str) -> str:
    return f"Invoice number {invoice_number} has already been submitted"


def history(sub: Submission, now: datetime) -> list[StatusEvent]:
    return status_history(sub.submitted_at, sub.rejection_reason, TIMING, now)


@bp.get("/")
def home():
    return redirect(url_for("invoices.list_invoices"))


@bp.get("/invoices")
@login_required
def list_invoices():
    searched = request.args.get("invoice_number", "").strip()
    page = max(1, request.args.get("page", 1, type=int))
    where = [Submission.supplier_id == g.user.supplier_id]
    if searched:
        where.append(Submission.invoice_key.contains(invoice_key(searched), autoescape=True))
    s = db()
    count = s.scalar(select(func.count()).select_from(Submission).where(*where)) or 0
    rows = s.scalars(select(Submission).where(*where)
                     .order_by(Submission.submitted_at.desc(), Submission.id.desc())
                     .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    now = clock().now()
    return render_template("portal_a/invoice_list.html", rows=[(sub, history(sub, now)[-1]) for sub in rows],
                           searched=searched, page=page, count=count,
                           has_next=page * PAGE_SIZE < count)


@bp.route("/invoices/new", methods=["GET", "POST"])
@login_required
def new_invoice():
    errors: dict[str, str] = {}
    if request.method == "POST":
        today = clock().now().astimezone(BUYER_TZ).date()
        entry, errors = check_invoice_form(request.form, today)
        upload = request.files.get("invoice_pdf")
        data = read_upload(upload.stream) if upload and upload.filename else b""
        problem = pdf_problem(data)
        if problem:
            errors["invoice_pdf"] = problem
        if entry is not None and not errors:
            if _already_submitted(entry.invoice_number):
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
    return render_template("portal_a/confirmation.html", sub=_own(reference))


@bp.get("/invoices/<reference>")
@login_required
def detail(reference: str):
    sub = _own(reference)
    return render_template("portal_a/invoice_detail.html", sub=sub, events=history(sub, clock().now()))


def _own(reference: str) -> Submission:
    sub = db().scalar(select(Submission).where(Submission.reference == reference,
                                               Submission.supplier_id == g.user.supplier_id))
    if sub is None:
        abort(404)
    return sub


def _already_submitted(invoice_number: str) -> bool:
    return db().scalar(select(Submission.id).where(
        Submission.supplier_id == g.user.supplier_id,
        Submission.invoice_key == invoice_key(invoice_number))) is not None


def _record(entry: InvoiceEntry, filename: str, data: bytes) -> Submission | None:
    """Store the PDF and the submission with its reference; None if a twin got in first."""
    s = db()
    stored = store_pdf(Path(current_app.config["DATA_DIR"]), filename, data)
    po = s.scalar(select(PurchaseOrder).where(PurchaseOrder.po_number == entry.po_number))
    now = clock().now()
    sub = Submission(
        supplier_id=g.user.supplier_id, user_id=g.user.id, po_number=entry.po_number,
        invoice_number=entry.invoice_number, invoice_key=invoice_key(entry.invoice_number),
        invoice_date=entry.invoice_date, amount_excl_tax=entry.amount_excl_tax, vat=entry.vat,
        total=entry.total, currency=entry.currency, pdf_filename=stored.filename,
        pdf_path=stored.path, pdf_sha256=stored.sha256, pdf_size=stored.size, submitted_at=now,
        rejection_reason=rejection_reason(entry, g.user.supplier_id, po))
    s.add(sub)
    try:
        s.flush()
        sub.reference = f"CPA-{now.astimezone(BUYER_TZ).year}-{sub.id:06d}"
        s.commit()
    except IntegrityError:
        s.rollback()
        return None
    return sub
