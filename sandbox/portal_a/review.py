"""The buyer's review of a submitted invoice against its purchase order (two-way match). The verdict
is decided on arrival and revealed by the lifecycle once the review time has passed."""
from __future__ import annotations

from datetime import datetime, timedelta

from sandbox.portal_a.models import PurchaseOrder, Submission
from sandbox.portal_a.validation import InvoiceEntry
from sandbox.portal_common.lifecycle import StatusEvent, Timing, status_history

# Reviewed one hour after arrival; paid two days after approval.
TIMING = Timing(review=timedelta(hours=1), payment=timedelta(days=2))

PO_NOT_FOUND = "PO number not found"
CURRENCY_MISMATCH = "Currency does not match PO"
AMOUNT_MISMATCH = "Amount does not match PO"


def history(sub: Submission, now: datetime) -> list[StatusEvent]:
    """The submission's statuses up to ``now``, oldest first; the last one is current."""
    return status_history(sub.submitted_at, sub.rejection_reason, TIMING, now)


def rejection_reason(entry: InvoiceEntry, supplier_id: str, po: PurchaseOrder | None) -> str | None:
    """Why the buyer will reject the invoice, or None if it will be approved.

    The PO must be the supplier's, in the invoice's currency, and the amount excluding tax must
    equal the PO's net total.
    """
    if po is None or po.supplier_id != supplier_id:
        return PO_NOT_FOUND
    if po.currency != entry.currency:
        return CURRENCY_MISMATCH
    if po.net_total != entry.amount_excl_tax:
        return AMOUNT_MISMATCH
    return None
