"""A supplier's submitted invoices, as both portals look them up, refuse duplicates, record them
under a reference and report them to the admin API. ``model`` is the portal's ``Submission``; the
request's supplier is ``g.user``."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, g
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from sandbox.app_db import db
from sandbox.portal_common.lifecycle import StatusEvent
from sandbox.portal_common.models import SubmissionColumns, invoice_key

Sub = TypeVar("Sub", bound=SubmissionColumns)


def duplicate_message(invoice_number: str) -> str:
    return f"Invoice number {invoice_number} has already been submitted"


def already_submitted(model: type[Sub], invoice_number: str) -> bool:
    """Whether the supplier has submitted this number before (compared as ``invoice_key``)."""
    return db().scalar(select(model.id).where(
        model.supplier_id == g.user.supplier_id,
        model.invoice_key == invoice_key(invoice_number))) is not None


def own_submission(model: type[Sub], reference: str) -> Sub:
    """The supplier's submission with this reference; 404 for any other."""
    sub = db().scalar(select(model).where(model.reference == reference, model.supplier_id == g.user.supplier_id))
    if sub is None:
        abort(404)
    return sub


def supplier_page(model: type[Sub], searched: str, page: int, page_size: int) -> tuple[int, list[Sub]]:
    """How many of the supplier's submissions match ``searched`` (part of an invoice number), and
    page ``page`` of them, newest first."""
    where = [model.supplier_id == g.user.supplier_id]
    if searched:
        where.append(model.invoice_key.contains(invoice_key(searched), autoescape=True))
    s = db()
    count = s.scalar(select(func.count()).select_from(model).where(*where)) or 0
    rows = s.scalars(select(model).where(*where)
                     .order_by(model.submitted_at.desc(), model.id.desc())
                     .offset((page - 1) * page_size).limit(page_size)).all()
    return count, list(rows)


def save_submission(sub: Sub, reference: Callable[[Sub], str]) -> Sub | None:
    """Add ``sub``, give it ``reference(sub)`` (its id is known by then) and commit; None if a twin
    (same supplier and invoice number) got in first."""
    s = db()
    s.add(sub)
    try:
        s.flush()
        sub.reference = reference(sub)
        s.commit()
    except IntegrityError:
        s.rollback()
        return None
    return sub


def submission_json(sub: SubmissionColumns, events: list[StatusEvent]) -> dict[str, Any]:
    """What ``GET /_admin/submissions`` says of every submission, in both portals; ``events`` is
    its status history up to now."""
    return {
        "reference": sub.reference,
        "supplier_id": sub.supplier_id,
        "submitted_by": sub.user.login,
        "invoice_number": sub.invoice_number,
        "invoice_date": sub.invoice_date.isoformat(),
        "amount_excl_tax": str(sub.amount_excl_tax),
        "vat": str(sub.vat),
        "total": str(sub.total),
        "currency": sub.currency,
        "pdf": {"filename": sub.pdf_filename, "path": sub.pdf_path, "sha256": sub.pdf_sha256,
                "size": sub.pdf_size},
        "submitted_at": sub.submitted_at.isoformat(),
        "status": events[-1].status.value,
        "status_reason": events[-1].reason,
        "status_history": [{"status": e.status.value, "at": e.at.isoformat(), "reason": e.reason}
                           for e in events],
    }
