"""Portal B's invoice wizard: 1) find the purchase order, 2) check its lines and enter the invoice
number, date and quantities, 3) attach the PDF, 4) review and submit. What each step records is kept
server-side in the session's draft, so going back (by the Back buttons or the step list) shows it
again; a step cannot be reached before the ones it needs are done."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from werkzeug.utils import secure_filename

from sandbox.app_clock import clock
from sandbox.app_db import db
from sandbox.portal_b.auth import login_required
from sandbox.portal_b.invoicing import InvoiceHeader, InvoiceTotals, check_lines, invoice_totals, quantity_field
from sandbox.portal_b.models import Draft, Submission, SubmissionLine
from sandbox.portal_b.orders import find_order, invoiced_so_far, open_lines
from sandbox.portal_b.review import rejection_reason
from sandbox.portal_common.models import invoice_key
from sandbox.portal_common.pdf_files import MISSING, pdf_problem, read_upload, store_pdf
from sandbox.portal_common.submissions import already_submitted, duplicate_message, save_submission

bp = Blueprint("wizard", __name__, url_prefix="/invoice/create")

STEPS = (("wizard.find_order_step", "Purchase order"), ("wizard.lines", "Lines"),
         ("wizard.attachment", "Attachment"), ("wizard.review", "Review and submit"))


@bp.route("", methods=["GET", "POST"])
@login_required
def find_order_step():
    draft: Draft | None = g.login.draft
    po_number = draft.purchase_order.po_number if draft else ""
    error = None
    if request.method == "POST":
        po_number = request.form.get("po_number", "").strip()
        s = db()
        po = find_order(s, po_number, g.user.supplier_id) if po_number else None
        if not po_number:
            error = "Enter a purchase order number."
        elif po is None:
            error = f"No purchase order {po_number} was found for your account."
        else:
            if draft is None:
                g.login.draft = Draft(purchase_order=po, quantities={})
            elif draft.purchase_order_id != po.id:  # another order: its lines start afresh
                draft.purchase_order, draft.quantities, draft.lines_done = po, {}, False
            s.commit()
            return redirect(url_for("wizard.lines"))
    return _step(0, "portal_b/wizard_order.html", po_number=po_number, error=error)


@bp.route("/lines", methods=["GET", "POST"])
@login_required
def lines():
    draft = g.login.draft
    if draft is None:
        return redirect(url_for("wizard.find_order_step"))
    s = db()
    open_ = open_lines(s, draft.purchase_order, clock().now())
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = request.form
        draft.invoice_number = form.get("invoice_number", "").strip()
        draft.invoice_date = form.get("invoice_date", "").strip()
        draft.quantities = {str(line.line_no): form.get(quantity_field(line.line_no), "").strip()
                            for line in open_}
        header, errors = check_lines(_typed(draft), open_, clock().today())
        draft.lines_done = header is not None
        s.commit()
        if form.get("action") == "back":
            return redirect(url_for("wizard.find_order_step"))
        if header is not None:
            return redirect(url_for("wizard.attachment"))
    return _step(1, "portal_b/wizard_lines.html", draft=draft, po=draft.purchase_order, open_lines=open_,
                 values=_typed(draft), errors=errors, quantity_field=quantity_field)


@bp.route("/attachment", methods=["GET", "POST"])
@login_required
def attachment():
    draft = g.login.draft
    if draft is None or not draft.lines_done:
        return redirect(url_for("wizard.lines"))
    error = None
    if request.method == "POST":
        upload = request.files.get("invoice_pdf")
        data = read_upload(upload.stream) if upload and upload.filename else b""
        going_back = request.form.get("action") == "back"
        problem = pdf_problem(data) if data else None
        if data and not problem:
            stored = store_pdf(Path(current_app.config["DATA_DIR"]),
                               secure_filename(upload.filename) or "invoice.pdf", data)
            draft.pdf_filename, draft.pdf_path = stored.filename, stored.path
            draft.pdf_sha256, draft.pdf_size = stored.sha256, stored.size
            db().commit()
        if going_back:
            return redirect(url_for("wizard.lines"))
        error = problem or (None if draft.pdf_path else MISSING)
        if error is None:
            return redirect(url_for("wizard.review"))
    return _step(2, "portal_b/wizard_attachment.html", draft=draft, error=error)


@bp.route("/review", methods=["GET", "POST"])
@login_required
def review():
    draft = g.login.draft
    if draft is None or not draft.lines_done or not draft.pdf_path:
        return redirect(url_for("wizard.attachment"))
    if request.method == "POST" and request.form.get("action") == "back":
        return redirect(url_for("wizard.attachment"))
    s = db()
    po = draft.purchase_order
    open_ = open_lines(s, po, clock().now())
    header, errors = check_lines(_typed(draft), open_, clock().today())  # the order may have moved on
    totals = invoice_totals(open_, header.quantities, po.vat_rate) if header else None
    if request.method == "POST" and header is not None and totals is not None:
        if already_submitted(Submission, header.invoice_number):
            errors["invoice_number"] = duplicate_message(header.invoice_number)
        else:
            sub = _submit(draft, header, totals)
            if sub is None:
                errors["invoice_number"] = duplicate_message(header.invoice_number)
            else:
                return redirect(url_for("invoices.submitted", reference=sub.reference))
    return _step(3, "portal_b/wizard_review.html", draft=draft, po=po, header=header, totals=totals,
                 errors=errors)


@bp.post("/cancel")
@login_required
def cancel():
    if g.login.draft is not None:
        g.login.draft = None
        db().commit()
        flash("The invoice draft was discarded.", "info")
    return redirect(url_for("home.dashboard"))


def _step(index: int, template: str, **context: Any) -> str:
    draft: Draft | None = g.login.draft
    reachable = [True, draft is not None, bool(draft and draft.lines_done),
                 bool(draft and draft.lines_done and draft.pdf_path)]
    return render_template(template, steps=STEPS, current=index, reachable=reachable, **context)


def _typed(draft: Draft) -> dict[str, str]:
    """The draft's step-2 values as they were typed, keyed like the form's fields."""
    values = {"invoice_number": draft.invoice_number, "invoice_date": draft.invoice_date}
    values.update({quantity_field(int(n)): text for n, text in draft.quantities.items()})
    return values


def _submit(draft: Draft, header: InvoiceHeader, totals: InvoiceTotals) -> Submission | None:
    """Record the invoice and its buyer verdict, and close the draft; None if a twin got in first."""
    s = db()
    po = draft.purchase_order
    now = clock().now()
    po_lines = {line.line_no: line for line in po.lines}
    sub = Submission(
        supplier_id=g.user.supplier_id, user_id=g.user.id, purchase_order=po,
        invoice_number=header.invoice_number, invoice_key=invoice_key(header.invoice_number),
        invoice_date=header.invoice_date, amount_excl_tax=totals.net, vat=totals.vat, total=totals.total,
        currency=po.currency, pdf_filename=draft.pdf_filename, pdf_path=draft.pdf_path,
        pdf_sha256=draft.pdf_sha256, pdf_size=draft.pdf_size, submitted_at=now,
        rejection_reason=rejection_reason(header.quantities,
                                          {n: line.received_quantity for n, line in po_lines.items()},
                                          invoiced_so_far(s, po, now)),
        lines=[SubmissionLine(po_line_id=po_lines[line.line_no].id, line_no=line.line_no,
                              description=line.description, quantity=line.quantity,
                              unit_price=line.unit_price, amount=line.amount) for line in totals.lines])
    g.login.draft = None  # closed in the same transaction; a refused twin's rollback brings it back
    return save_submission(sub, lambda sub: f"AR-DOC-{40_000_000 + sub.id}")
