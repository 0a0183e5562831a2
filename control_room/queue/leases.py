"""The lease sweeper: reserved items whose lease ran out go back as application failures.

Safe with several control-room processes: rows are taken with SKIP LOCKED on PostgreSQL, and the
expiry itself is a compare-and-set on `lease_expires_at < now`, so an item is expired at most once
and never after its holder released or extended it.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from control_room import clock
from control_room.queue import transitions
from control_room.queue.models import ItemState, WorkItem, in_state
from control_room.serving.background import PeriodicJob
from control_room.storage.engine import is_postgres


def sweep_expired(session: Session, batch: int = 500) -> int:
    """Expire up to `batch` overdue leases in the caller's transaction; returns how many."""
    now = clock.now(session)
    query = (select(WorkItem.id)
             .where(in_state(ItemState.RESERVED), WorkItem.lease_expires_at < now)
             .order_by(WorkItem.lease_expires_at).limit(batch))
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    expired = 0
    for item_id in session.scalars(query).all():
        try:
            transitions.expire_lease(session, item_id, now)
            expired += 1
        except transitions.TransitionRefused:
            continue  # released or extended meanwhile
    return expired


class Sweeper(PeriodicJob):
    """`sweep_expired` every `interval` seconds, in the background."""

    def __init__(self, sessions: sessionmaker[Session], interval: float = 5.0) -> None:
        super().__init__("lease-sweeper", sessions, sweep_expired, interval,
                         "lease sweeper returned %d item(s) to their queues")
