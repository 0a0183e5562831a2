"""Excel downloads: open items (with the list's filters), the aged balance, new invoices since a
date."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, g, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from sandbox.app_clock import PARIS, clock
from sandbox.app_db import db
from sandbox.erp.auth import login_required
from sandbox.erp.ledger import aged_balance, open_items
from sandbox.erp.models import Company, Invoice
from sandbox.erp.open_items import filters_from_args
from sandbox.erp.workbooks import aged_balance_workbook, new_invoices_workbook, open_items_workbook

bp = Blueprint("exports", __name__, url_prefix="/exports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _company_name() -> str:
    company = db().scalar(select(Company))
    return company.name if company else "ERP"


def _download(content: bytes, filename: str) -> Response:
    return Response(content, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _date_arg(name: str) -> tuple[date | None, str | None]:
    text = request.args.get(name, "").strip()
    if not text:
        return None, None
    try:
        return date.fromisoformat(text), None
    except ValueError:
        return None, f"“{text}” is not a date (YYYY-MM-DD)."


@bp.route("")
@login_required
def index():
    return render_template("exports.html", today=clock().today(), errors=[])


@bp.route("/open-items.xlsx")
@login_required
def open_items_export():
    filters, errors = filters_from_args(request.args)
    if errors:
        return render_template("exports.html", today=clock().today(), errors=errors), 400
    today = clock().today()
    rows = open_items(db(), filters, today)
    criteria = ", ".join(f"{k}={v}" for k, v in request.args.items() if v) or "All open items"
    content = open_items_workbook(rows, _company_name(), clock().now().astimezone(PARIS), g.user.username,
                                  f"Filters: {criteria}")
    return _download(content, f"open_items_{today.isoformat()}.xlsx")


@bp.route("/aged-balance.xlsx")
@login_required
def aged_balance_export():
    as_of, error = _date_arg("as_of")
    if error:
        return render_template("exports.html", today=clock().today(), errors=[f"As of: {error}"]), 400
    as_of = as_of or clock().today()
    content = aged_balance_workbook(aged_balance(db(), as_of), _company_name(), clock().now().astimezone(PARIS),
                                    g.user.username, as_of)
    return _download(content, f"aged_balance_{as_of.isoformat()}.xlsx")


@bp.route("/new-invoices.xlsx")
@login_required
def new_invoices_export():
    since, error = _date_arg("since")
    if error or since is None:
        return render_template("exports.html", today=clock().today(),
                               errors=[f"Since: {error or 'give a date (YYYY-MM-DD).'}"]), 400
    invoices = db().scalars(
        select(Invoice).where(Invoice.issue_date >= since)
        .options(joinedload(Invoice.customer), selectinload(Invoice.lines), joinedload(Invoice.credited_invoice))
        .order_by(Invoice.issue_date, Invoice.number)
    ).unique().all()
    content = new_invoices_workbook(list(invoices), _company_name(), clock().now().astimezone(PARIS),
                                    g.user.username, since)
    return _download(content, f"new_invoices_since_{since.isoformat()}.xlsx")
