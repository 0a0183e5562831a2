"""The sandbox's back door, for tests, benchmarks and `arfleet sandbox up` — never for bots:
load a seed, add invoices, read what the bots did, move the clock. Every call needs the header
``X-Admin-Token``."""
from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from sandbox.admin_api import add_seed_route, admin_blueprint, commit_or_refuse, posted_object
from sandbox.app_clock import clock
from sandbox.app_db import db
from sandbox.erp.amounts import to_json
from sandbox.erp.ledger import OpenItemFilters, open_items
from sandbox.erp.models import Customer, CustomerNote, Invoice, Payment, PromiseToPay
from sandbox.erp.seed import SeedError, append_invoices, load_seed

bp = admin_blueprint(__name__)
REFUSED = (SeedError, KeyError, TypeError)

# POST /_admin/seed replaces the ERP's contents with the posted seed (format in sandbox/erp/seed.py).
add_seed_route(bp, lambda session, payload: load_seed(session, payload, clock().now()), refused=REFUSED)


@bp.route("/invoices", methods=["POST"])
def add_invoices():
    """Add invoices (seed format: {"invoices": [...]}) to the existing customers, as if just issued."""
    invoices = posted_object().get("invoices", [])
    added = commit_or_refuse(lambda session: append_invoices(session, invoices, clock().now()), REFUSED)
    return jsonify(added=added)


@bp.route("/clock", methods=["GET", "POST"])
def move_clock():
    """{"advance_s": 900} moves the ERP's clock forward; {"reset": true} puts it back."""
    body = request.get_json(silent=True) or {}
    erp_clock = clock()
    if body.get("reset"):
        erp_clock.reset()
    if "advance_s" in body:
        erp_clock.advance(float(body["advance_s"]))
    return jsonify(now=erp_clock.now().isoformat(), offset_s=erp_clock.offset.total_seconds())


def _payment_json(payment: Payment) -> dict:
    return {
        "confirmation_number": payment.confirmation_number,
        "customer_code": payment.customer.code,
        "date": payment.payment_date.isoformat(),
        "amount": to_json(payment.amount),
        "currency": payment.currency,
        "payer": payment.payer,
        "bank_reference": payment.bank_reference,
        "posted_at": payment.posted_at.isoformat(),
        "posted_by": payment.posted_by,
        "source": payment.source,
        "allocations": [{"invoice": a.invoice.number, "amount": to_json(a.amount)} for a in payment.allocations],
        "write_offs": [{"invoice": w.invoice.number, "amount": to_json(w.amount), "reason": w.reason}
                       for w in payment.write_offs],
    }


@bp.route("/state")
def state():
    """What the books say now: payments with their allocations, disputes, promises, notes, and
    every open item's residual. ``?source=screen`` keeps only payments keyed on the screen."""
    session = db()
    payments = select(Payment).options(selectinload(Payment.allocations), selectinload(Payment.write_offs))
    if request.args.get("source"):
        payments = payments.where(Payment.source == request.args["source"])
    disputed = session.scalars(select(Invoice).where(Invoice.disputed.is_(True)).order_by(Invoice.number))
    promises = session.scalars(select(PromiseToPay).order_by(PromiseToPay.created_at, PromiseToPay.id))
    notes = session.scalars(select(CustomerNote).order_by(CustomerNote.created_at, CustomerNote.id))
    return jsonify({
        "now": clock().now().isoformat(),
        "customers": session.scalar(select(func.count()).select_from(Customer)),
        "payments": [_payment_json(p) for p in session.scalars(payments.order_by(Payment.id))],
        "disputes": [
            {"invoice": inv.number, "customer_code": inv.customer.code, "reason": inv.dispute_reason,
             "comment": inv.dispute_comment, "opened_on": inv.dispute_opened_on.isoformat(),
             "opened_by": inv.dispute_opened_by}
            for inv in disputed
        ],
        "promises": [
            {"invoice": p.invoice.number, "date": p.promised_date.isoformat(), "amount": to_json(p.amount),
             "created_at": p.created_at.isoformat(), "created_by": p.created_by}
            for p in promises
        ],
        "notes": [
            {"customer_code": n.customer.code, "created_at": n.created_at.isoformat(), "author": n.author,
             "text": n.text}
            for n in notes
        ],
        "open_items": [
            {"invoice": row.invoice.number, "customer_code": row.invoice.customer.code,
             "open_amount": to_json(row.open_amount)}
            for row in open_items(session, OpenItemFilters(), clock().today())
        ],
    })
