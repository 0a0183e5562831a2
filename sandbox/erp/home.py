"""The landing page after login: where a clerk starts the day."""
from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from sandbox.app_clock import clock
from sandbox.app_db import db
from sandbox.erp.auth import login_required
from sandbox.erp.ledger import OpenItemFilters, open_items_page
from sandbox.erp.models import Customer, Invoice

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    session = db()
    today = clock().today()
    overdue = open_items_page(session, OpenItemFilters(overdue_only=True), 1, today)
    return render_template(
        "home.html",
        customers=session.scalar(select(func.count()).select_from(Customer)),
        disputed=session.scalar(select(func.count()).where(Invoice.disputed.is_(True))),
        overdue=overdue,
        today=today,
    )
