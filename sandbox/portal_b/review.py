"""The buyer's review of a submitted invoice: a three-way match of the quantities invoiced against
the goods received. The verdict is decided on arrival and revealed by the lifecycle once the review
time has passed."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal

from sandbox.portal_b.models import Submission
from sandbox.portal_common.lifecycle import StatusEvent, Timing, status_history

# Reviewed four hours after arrival; paid three days after approval.
TIMING = Timing(review=timedelta(hours=4), payment=timedelta(days=3))


def history(sub: Submission, now: datetime) -> list[StatusEvent]:
    """The submission's statuses up to ``now``, oldest first; the last one is current."""
    return status_history(sub.submitted_at, sub.rejection_reason, TIMING, now)


def rejection_reason(quantities: Mapping[int, Decimal], received: Mapping[int, Decimal],
                     invoiced_before: Mapping[int, Decimal]) -> str | None:
    """Why the buyer will reject the invoice, or None if it will be approved: every line's
    quantity invoiced so far, this invoice included, must have been received."""
    for line_no in sorted(quantities):
        if invoiced_before.get(line_no, Decimal(0)) + quantities[line_no] > received.get(line_no, Decimal(0)):
            return f"Quantity invoiced exceeds quantity received (line {line_no})"
    return None
