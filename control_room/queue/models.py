"""Work queues' tables: queues, work items and their files, and the depth samples of the dashboard.
The item states and exception types are defined here; what changes them lives in transitions.py."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from control_room.storage.base import AwareDateTime, Base, BigId, enum_column, utcnow

if TYPE_CHECKING:
    pass


class ItemState(str, enum.Enum):
    DRAFT = "draft"  # an output a run is still writing; published when the run releases its input
    NEW = "new"
    RESERVED = "reserved"
    DONE = "done"
    EXCEPTION = "exception"  # escalated: waits for a person
    REJECTED = "rejected"  # a person decided it must not be processed


class ExceptionType(str, enum.Enum):
    BUSINESS = "business"
    APPLICATION = "application"


class Queue(Base):
    __tablename__ = "queues"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)


class WorkItem(Base):
    __tablename__ = "work_items"
    __table_args__ = (
        UniqueConstraint("queue_id", "reference", name="uq_work_items_queue_reference"),
        Index("ix_work_items_step_run", "step_run_id"),
        {"sqlite_autoincrement": True},  # ids never reused (migration 0011): one audit trail, one item
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"))
    process_id: Mapped[int | None] = mapped_column(ForeignKey("processes.id"))
    state: Mapped[ItemState] = mapped_column(enum_column(ItemState), default=ItemState.NEW)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    priority: Mapped[int] = mapped_column(Integer, default=0)  # higher first
    deadline: Mapped[datetime | None] = mapped_column(AwareDateTime)
    defer_until: Mapped[datetime | None] = mapped_column(AwareDateTime)
    reference: Mapped[str | None] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_expires_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    step_run_id: Mapped[int | None] = mapped_column(ForeignKey("step_runs.id"))
    exception_type: Mapped[ExceptionType | None] = mapped_column(enum_column(ExceptionType))
    exception_code: Mapped[str | None] = mapped_column(String(120))
    exception_message: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("work_items.id", ondelete="SET NULL"), index=True)
    created_by_run_id: Mapped[int | None] = mapped_column(ForeignKey("step_runs.id"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    queue: Mapped[Queue] = relationship()
    files: Mapped[list[WorkItemFile]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="WorkItemFile.id"
    )


class WorkItemFile(Base):
    __tablename__ = "work_item_files"
    __table_args__ = (UniqueConstraint("item_id", "name"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_items.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    item: Mapped[WorkItem] = relationship(back_populates="files")


Index("ix_work_items_queue_state_id", WorkItem.queue_id, WorkItem.state, WorkItem.id)
Index("ix_work_items_queue_id_id", WorkItem.queue_id, WorkItem.id)
Index("ix_work_items_queue_created", WorkItem.queue_id, WorkItem.created_at)
Index("ix_work_items_reference", WorkItem.reference)


def in_state(state: ItemState) -> ColumnElement[bool]:
    """``state = 'new'`` with the state written as a literal: the partial indexes below serve only queries
    whose condition names their state, which a bound parameter in a prepared statement does not."""
    return WorkItem.state == literal_column(f"'{state.value}'")


# The order reservation takes waiting items in: priority, then deadline (none last), then age. The index
# holds the same expressions, so the best item is the first index entry, however long the queue.
RESERVATION_ORDER = (WorkItem.priority.desc(), WorkItem.deadline.is_(None), WorkItem.deadline, WorkItem.id)


def _partial(name: str, state: ItemState, *columns: Any) -> Index:
    """An index holding only the items in one state: small, and untouched by items in the others."""
    return Index(name, *columns, postgresql_where=in_state(state), sqlite_where=in_state(state))


_partial("ix_work_items_waiting", ItemState.NEW, WorkItem.queue_id, *RESERVATION_ORDER)
_partial("ix_work_items_lease", ItemState.RESERVED, WorkItem.lease_expires_at)
_partial("ix_work_items_drafts", ItemState.DRAFT, WorkItem.parent_id)
_partial("ix_work_items_inbox", ItemState.EXCEPTION, WorkItem.priority, WorkItem.deadline, WorkItem.id)
_partial("ix_work_items_exception_reason", ItemState.EXCEPTION, WorkItem.exception_code)
class QueueDepthSample(Base):
    """Items waiting and escalated per queue, every few minutes: the dashboard's depth-over-time chart."""

    __tablename__ = "queue_depth_samples"
    __table_args__ = (UniqueConstraint("queue_id", "at"), Index("ix_queue_depth_samples_at", "at"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(AwareDateTime)
    waiting: Mapped[int] = mapped_column(Integer)
    escalated: Mapped[int] = mapped_column(Integer)
