"""Take the best waiting item of a queue for a run: priority, then deadline, then age.

On PostgreSQL `FOR UPDATE SKIP LOCKED` lets concurrent reservers pass each other; on SQLite the
transaction already holds the write lock (BEGIN IMMEDIATE). The update itself re-checks the state,
so an item is never held by two runs.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, Select, bindparam, or_, select
from sqlalchemy.orm import Session

from control_room import clock
from control_room.audit.actors import Actor
from control_room.queue import transitions
from control_room.queue.models import RESERVATION_ORDER, ItemState, WorkItem, in_state
from control_room.storage.base import AwareDateTime
from control_room.storage.engine import is_postgres


def best_waiting(queue_id: ColumnElement[int]) -> Select[int]:
    """Ids of the queue's items that may be taken now (`b_now`), best first."""
    return (select(WorkItem.id)
            .where(WorkItem.queue_id == queue_id, in_state(ItemState.NEW),
                   or_(WorkItem.defer_until.is_(None),
                       WorkItem.defer_until <= bindparam("b_now", type_=AwareDateTime())))
            .order_by(*RESERVATION_ORDER))


_BEST_WAITING = best_waiting(bindparam("b_queue"))
_BEST_WAITING_SKIP_LOCKED = _BEST_WAITING.with_for_update(skip_locked=True)


def reserve_next(session: Session, queue_id: int, step_run_id: int, lease_seconds: int, actor: Actor) -> int | None:
    candidates = _BEST_WAITING_SKIP_LOCKED if is_postgres(session) else _BEST_WAITING
    return transitions.reserve_first(session, candidates, {"b_queue": queue_id, "b_now": clock.now(session)},
                                     step_run_id, lease_seconds, actor)
