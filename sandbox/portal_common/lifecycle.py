"""The status lifecycle of an invoice submitted to a portal: received, then approved or rejected
(with the buyer's reason) once reviewed, then paid some time after approval.

The buyer's verdict is decided when the invoice arrives and kept on the submission; this module only
says, for a given moment, how far along the lifecycle the invoice is. Being a pure function of the
clock, statuses advance deterministically when a test moves the clock.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Status(StrEnum):
    RECEIVED = "received"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAID = "paid"


@dataclass(frozen=True)
class Timing:
    """How long a buyer takes: to review a received invoice, then to pay an approved one."""

    review: timedelta
    payment: timedelta


@dataclass(frozen=True)
class StatusEvent:
    status: Status
    at: datetime
    reason: str | None = None


def status_history(submitted_at: datetime, rejection_reason: str | None, timing: Timing,
                   now: datetime) -> list[StatusEvent]:
    """Every status the invoice has had up to ``now``, oldest first; the last one is current."""
    events = [StatusEvent(Status.RECEIVED, submitted_at)]
    reviewed_at = submitted_at + timing.review
    if now < reviewed_at:
        return events
    if rejection_reason:
        events.append(StatusEvent(Status.REJECTED, reviewed_at, rejection_reason))
        return events
    events.append(StatusEvent(Status.APPROVED, reviewed_at))
    paid_at = reviewed_at + timing.payment
    if now >= paid_at:
        events.append(StatusEvent(Status.PAID, paid_at))
    return events
