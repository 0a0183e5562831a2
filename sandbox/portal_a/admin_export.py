"""What ``GET /_admin/submissions`` answers for portal A: every submission, as tests check what the
bots did (the bots themselves never call it)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox.portal_a.models import Submission
from sandbox.portal_a.review import history
from sandbox.portal_common.submissions import submission_json


def list_submissions(session: Session, now: datetime) -> list[dict[str, Any]]:
    return [{**submission_json(sub, history(sub, now)), "po_number": sub.po_number}
            for sub in session.scalars(select(Submission).order_by(Submission.id))]
