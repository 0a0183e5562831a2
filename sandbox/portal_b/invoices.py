"""Portal B's pages around invoices: the dashboard, the list of submitted invoices with their
status (filterable by invoice number), an invoice's detail, and the page shown after submitting."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from sandbox.portal_b.auth import login_required
from sandbox.portal_b.models import Submission, invoice_key
from sandbox.portal_b.review import TIMING
from sandbox.portal_common.clock import clock
from sandbox.portal_common.db import db
from sandbox.portal_common.lifecycle import StatusEvent, status_history

bp = Blueprint("invoices", __name__)
home = Blueprint("home", __name__)

PAGE_SIZE = 10


def history(sub: Submission, now: datetime) -> list[StatusEvent]:
    return status_history(sub.submitted_at, sub.rejection_reason, TIMING, now)


@home.get("/")
def root():
    return redirect(url_for("home.dashboard"))


@home.get("/home")
@login_required
def dashboard():
    s = db()
    recent = s.scalars(select(Submission).where(Submission.supplier_id == g.user.supplier_id)
                       .order_by(Submission.submitted_at.desc(), Submission.id.desc()).limit(5)).all()
    now = clock().now()
    return render_template("portal_b/dashboard.html", recent=[(sub, history(sub, now)[-1]) for sub in recent],
                           has_draft=g.login.draft is not None)


@bp.get("/invoices")
@login_required
def list_invoices():
    searched = request.args.get("invoice", "").strip()
    page = max(1, request.args.get("page", 1, type=int))
    where = [Submission.supplier_id == g.user.supplier_id]
    if searched:
        where.append(Submission.invoice_key.contains(invoice_key(searched), autoescape=True))
    s = db()
    count = s.scalar(select(func.count()).select_from(Submission).where(*where)) or 0
    pages = max(1, -(-count // PAGE_SIZE))
    rows = s.scalars(select(Submission).where(*where)
                     .order_by(Submission.submitted_at.desc(), Submission.id.desc())
                     .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    now = clock().now()
    return render_template("portal_b/invoice_list.html", rows=[(sub, history(sub, now)[-1]) for sub in rows],
                           searched=searched, page=page, pages=pages, count=count)


@bp.get("/invoices/<reference>")
@login_required
def detail(reference: str):
    sub = _own(reference)
    return render_template("portal_b/invoice_detail.html", sub=sub, events=history(sub, clock().now()))


@bp.get("/invoices/<reference>/submitted")
@login_required
def submitted(reference: str):
    return render_template("portal_b/submitted.html", sub=_own(reference))


def _own(reference: str) -> Submission:
    sub = db().scalar(select(Submission).where(Submission.reference == reference,
                                               Submission.supplier_id == g.user.supplier_id))
    if sub is None:
        abort(404)
    return sub
