"""Leases: a reservation lasts while the bot's runner heartbeats for its step run (`renew_for_runner`, at
each heartbeat), and the sweeper returns the items whose lease ran out — their bot, runner or VM died —
as application failures. The lease is the time to notice a death, not the time to do the work; the step's
timeout bounds the work.

Safe with several control-room processes: rows are taken with SKIP LOCKED on PostgreSQL, and the
expiry itself is a compare-and-set on `lease_expires_at < now`, so an item is expired at most once
and never after its holder released or extended it.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from control_room import clock
from control_room.fleet.models import Process, ProcessStep, RunState, StepRun
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


_LIVE_STEP_RUNS = (
    select(StepRun.id, func.coalesce(ProcessStep.lease_seconds, Process.lease_seconds))
    .join(ProcessStep, StepRun.step_id == ProcessStep.id).join(Process, ProcessStep.process_id == Process.id)
)


def renew_for_runner(session: Session, runner_id: int) -> int:
    """A heartbeat from `runner_id`: the items its running step runs hold get a full lease again (each
    its step's lease). Not audited: the heartbeat is the evidence, and an event every few seconds per
    item would bury the audit log; reservation, release and expiry are audited. Returns how many."""
    now = clock.now(session)
    renewed = 0
    for step_run_id, lease_seconds in session.execute(
            _LIVE_STEP_RUNS.where(StepRun.runner_id == runner_id, StepRun.state == RunState.RUNNING)).all():
        result = session.execute(
            update(WorkItem).where(WorkItem.step_run_id == step_run_id, in_state(ItemState.RESERVED))
            .values(lease_expires_at=now + timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False))
        renewed += result.rowcount  # type: ignore[attr-defined]  # (CursorResult)
    return renewed


class Sweeper(PeriodicJob):
    """`sweep_expired` every `interval` seconds, in the background."""

    def __init__(self, sessions: sessionmaker[Session], interval: float = 5.0) -> None:
        super().__init__("lease-sweeper", sessions, sweep_expired, interval,
                         "lease sweeper returned %d item(s) to their queues")
