"""What ``GET /_admin/submissions`` answers for portal B: every submission with its lines, as tests
check what the bots did (the bots themselves never call it)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox.portal_b.models import Submission
from sandbox.portal_b.review import TIMING
from sandbox.portal_common.lifecycle import status_history


def list_submissions(session: Session, now: datetime) -> list[dict[str, Any]]:
    out = []
    for sub in session.scalars(select(Submission).order_by(Submission.id)):
        events = status_history(sub.submitted_at, sub.rejection_reason, TIMING, now)
        out.append({
            "reference": sub.reference,
            "supplier_id": sub.supplier_id,
            "submitted_by": sub.user.login,
            "po_number": sub.purchase_order.po_number,
            "invoice_number": sub.invoice_number,
            "invoice_date": sub.invoice_date.isoformat(),
            "lines": [{"line_no": line.line_no, "description": line.description,
                       "quantity": str(line.quantity), "unit_price": str(line.unit_price),
                       "amount": str(line.amount)} for line in sub.lines],
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
        })
    return out
