"""What ``GET /_admin/submissions`` answers for portal B: every submission with its lines, as tests
check what the bots did (the bots themselves never call it)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox.portal_b.models import Submission
from sandbox.portal_b.review import history
from sandbox.portal_common.submissions import submission_json


def list_submissions(session: Session, now: datetime) -> list[dict[str, Any]]:
    return [{**submission_json(sub, history(sub, now)), "po_number": sub.purchase_order.po_number,
             "lines": [{"line_no": line.line_no, "description": line.description, "quantity": str(line.quantity),
                        "unit_price": str(line.unit_price), "amount": str(line.amount)} for line in sub.lines]}
            for sub in session.scalars(select(Submission).order_by(Submission.id))]
