"""Portal B's pages around invoices: the dashboard, the list of submitted invoices with their
status (filterable by invoice number), an invoice's detail, and the page shown after submitting."""
from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from sqlalchemy import select

from sandbox.app_clock import clock
from sandbox.app_db import db
from sandbox.portal_b.auth import login_required
from sandbox.portal_b.models import Submission
from sandbox.portal_b.review import history
from sandbox.portal_common.submissions import own_submission, supplier_page

bp = Blueprint("invoices", __name__)
home = Blueprint("home", __name__)

PAGE_SIZE = 10


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
    count, rows = supplier_page(Submission, searched, page, PAGE_SIZE)
    pages = max(1, -(-count // PAGE_SIZE))
    now = clock().now()
    return render_template("portal_b/invoice_list.html", rows=[(sub, history(sub, now)[-1]) for sub in rows],
                           searched=searched, page=page, pages=pages, count=count)


@bp.get("/invoices/<reference>")
@login_required
def detail(reference: str):
    sub = own_submission(Submission, reference)
    return render_template("portal_b/invoice_detail.html", sub=sub, events=history(sub, clock().now()))


@bp.get("/invoices/<reference>/submitted")
@login_required
def submitted(reference: str):
    return render_template("portal_b/submitted.html", sub=own_submission(Submission, reference))
