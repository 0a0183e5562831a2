"""Queue depth over time: the scheduler samples every queue every few minutes (one row per queue and
time slot, whichever control-room process gets there first) and keeps a week of history."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from control_room.queue.models import ItemState, Queue, QueueDepthSample, WorkItem

SLOT_MINUTES = 5
KEEP = timedelta(days=8)


def slot(now: datetime) -> datetime:
    return now.replace(minute=now.minute - now.minute % SLOT_MINUTES, second=0, microsecond=0)


def sample(session: Session, now: datetime) -> int:
    """Record the current slot's depths if nobody has yet; returns the number of rows written."""
    at = slot(now)
    if session.scalar(select(QueueDepthSample.id).where(QueueDepthSample.at == at).limit(1)) is not None:
        return 0
    counts = session.execute(
        select(Queue.id,
               func.count(case((WorkItem.state == ItemState.NEW, 1))),
               func.count(case((WorkItem.state == ItemState.EXCEPTION, 1))))
        .outerjoin(WorkItem, WorkItem.queue_id == Queue.id).group_by(Queue.id)).all()
    try:
        with session.begin_nested():
            session.add_all(QueueDepthSample(queue_id=q, at=at, waiting=w, escalated=e) for q, w, e in counts)
            session.flush()
    except IntegrityError:
        return 0  # another control-room process sampled this slot
    session.execute(delete(QueueDepthSample).where(QueueDepthSample.at < now - KEEP))
    return len(counts)


def history(session: Session, since: datetime) -> dict[str, list[tuple[datetime, int, int]]]:
    """Per queue name: (time, waiting, escalated) since `since`, oldest first."""
    rows = session.execute(select(Queue.name, QueueDepthSample.at, QueueDepthSample.waiting,
                                  QueueDepthSample.escalated)
                           .join(Queue, QueueDepthSample.queue_id == Queue.id)
                           .where(QueueDepthSample.at >= since).order_by(QueueDepthSample.at)).all()
    series: dict[str, list[tuple[datetime, int, int]]] = {}
    for name, at, waiting, escalated in rows:
        series.setdefault(name, []).append((at, waiting, escalated))
    return series
