"""The control room's data model (SQLAlchemy 2.0 typed models). Migrations live in migrations/."""
from __future__ import annotations

import enum
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    BigInteger,
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from control_room.db import Base

# BIGINT on PostgreSQL, INTEGER (rowid alias) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class AwareDateTime(TypeDecorator):
    """Timezone-aware datetimes everywhere, even on SQLite which stores them naive (as UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime stored; use timezone-aware datetimes")
        if value is not None and dialect.name == "sqlite":
            return value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


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


class RunState(str, enum.Enum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    STOPPED = "stopped"


class Role(str, enum.Enum):
    ADMIN = "admin"
    IT = "it"
    OPS = "ops"
    HANDLER = "handler"
    VIEWER = "viewer"


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False, length=16,
                validate_strings=True)


class Queue(Base):
    __tablename__ = "queues"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)


class Process(Base):
    __tablename__ = "processes"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    lease_seconds: Mapped[int] = mapped_column(Integer, default=600)
    max_retries: Mapped[int] = mapped_column(Integer, default=3)
    retry_base_seconds: Mapped[int] = mapped_column(Integer, default=30)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    steps: Mapped[list[ProcessStep]] = relationship(
        back_populates="process", order_by="ProcessStep.position", cascade="all, delete-orphan"
    )

    @property
    def input_queue(self) -> Queue:
        return self.steps[0].queue


class ProcessStep(Base):
    __tablename__ = "process_steps"
    __table_args__ = (UniqueConstraint("process_id", "position"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    bot: Mapped[str] = mapped_column(String(120))
    task: Mapped[str] = mapped_column(String(120))
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"))
    output_queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id"))
    labels: Mapped[list[str]] = mapped_column(JSON, default=list)
    timeout_seconds: Mapped[int] = mapped_column(Integer, default=3600)
    lease_seconds: Mapped[int | None] = mapped_column(Integer)  # None: the process's
    max_retries: Mapped[int | None] = mapped_column(Integer)  # None: the process's
    # application failures with these codes mean "not ready yet": retried after poll_seconds, no retry spent
    poll_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    poll_seconds: Mapped[int | None] = mapped_column(Integer)
    # application failures with these codes go to a person at once: no retry would fix them
    escalate_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # a first step that reads no input of its own (e.g. collecting from the ERP): a run finding its queue
    # empty gets one empty item to work on instead of ending with nothing to do
    starts_empty: Mapped[bool] = mapped_column(Boolean, default=False)
    process: Mapped[Process] = relationship(back_populates="steps")
    queue: Mapped[Queue] = relationship(foreign_keys=[queue_id])
    output_queue: Mapped[Queue | None] = relationship(foreign_keys=[output_queue_id])


class WorkItem(Base):
    __tablename__ = "work_items"
    __table_args__ = (
        UniqueConstraint("queue_id", "reference", name="uq_work_items_queue_reference"),
        Index("ix_work_items_step_run", "step_run_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"))
    process_id: Mapped[int | None] = mapped_column(ForeignKey("processes.id"))
    state: Mapped[ItemState] = mapped_column(_enum(ItemState), default=ItemState.NEW)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    priority: Mapped[int] = mapped_column(Integer, default=0)  # higher first
    deadline: Mapped[datetime | None] = mapped_column(AwareDateTime)
    defer_until: Mapped[datetime | None] = mapped_column(AwareDateTime)
    reference: Mapped[str | None] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_expires_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    step_run_id: Mapped[int | None] = mapped_column(ForeignKey("step_runs.id"))
    exception_type: Mapped[ExceptionType | None] = mapped_column(_enum(ExceptionType))
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


class ProcessRun(Base):
    __tablename__ = "process_runs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"))
    state: Mapped[RunState] = mapped_column(_enum(RunState), default=RunState.PENDING)
    requested_by: Mapped[str] = mapped_column(String(120), default="system")
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    process: Mapped[Process] = relationship()
    steps: Mapped[list[StepRun]] = relationship(back_populates="process_run", order_by="StepRun.id")


class StepRun(Base):
    __tablename__ = "step_runs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    process_run_id: Mapped[int] = mapped_column(ForeignKey("process_runs.id"))
    step_id: Mapped[int] = mapped_column(ForeignKey("process_steps.id"))
    state: Mapped[RunState] = mapped_column(_enum(RunState), default=RunState.PENDING, index=True)
    runner_id: Mapped[int | None] = mapped_column(ForeignKey("runners.id"))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    exit_code: Mapped[int | None] = mapped_column(Integer)
    stop_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    process_run: Mapped[ProcessRun] = relationship(back_populates="steps")
    step: Mapped[ProcessStep] = relationship()


class Runner(Base):
    __tablename__ = "runners"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    labels: Mapped[list[str]] = mapped_column(JSON, default=list)
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    credential_hash: Mapped[str] = mapped_column(String(64), unique=True)
    registered_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    lost_at: Mapped[datetime | None] = mapped_column(AwareDateTime)  # missed heartbeats; its runs were failed
    retired: Mapped[bool] = mapped_column(Boolean, default=False)


class Schedule(Base):
    """A schedule declared in schedules.yaml; its pause flag and history live here."""

    __tablename__ = "schedules"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"))
    cron: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    business_days_only: Mapped[bool] = mapped_column(Boolean, default=False)
    overlap: Mapped[str] = mapped_column(String(8), default="skip")  # skip | queue
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    declared: Mapped[bool] = mapped_column(Boolean, default=True)  # false once removed from schedules.yaml
    process: Mapped[Process] = relationship()


class ScheduleFire(Base):
    """One row per scheduled time: the unique key makes each fire happen once, whichever control-room
    process gets there first, and a fire missed during a restart is caught up once."""

    __tablename__ = "schedule_fires"
    __table_args__ = (UniqueConstraint("schedule_id", "fire_time"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"), index=True)
    fire_time: Mapped[datetime] = mapped_column(AwareDateTime)
    fired_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    outcome: Mapped[str] = mapped_column(String(32))  # started | skipped | queued
    process_run_id: Mapped[int | None] = mapped_column(ForeignKey("process_runs.id"))


class QueueTrigger(Base):
    """Start a run of the process when at least `min_items` wait and fewer than `max_active_runs` run."""

    __tablename__ = "queue_triggers"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id", ondelete="CASCADE"), unique=True)
    min_items: Mapped[int] = mapped_column(Integer, default=1)
    max_active_runs: Mapped[int] = mapped_column(Integer, default=1)
    process: Mapped[Process] = relationship()


class RegistrationToken(Base):
    """One-time token a runner trades for its long-lived credential."""

    __tablename__ = "registration_tokens"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(AwareDateTime)
    used_at: Mapped[datetime | None] = mapped_column(AwareDateTime)


class StepRunLog(Base):
    __tablename__ = "step_run_logs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    step_run_id: Mapped[int] = mapped_column(ForeignKey("step_runs.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    line: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("step_run_id", "seq"),)


class Artifact(Base):
    __tablename__ = "artifacts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    step_run_id: Mapped[int] = mapped_column(ForeignKey("step_runs.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    locale: Mapped[str | None] = mapped_column(String(8))  # the UI language the person chose


class ApiToken(Base):
    """Personal API tokens for people and scripts using the native API (hashed, never stored in clear)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    user: Mapped[User] = relationship()


class Secret(Base):
    __tablename__ = "secrets"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    versions: Mapped[list[SecretVersion]] = relationship(
        back_populates="secret", order_by="SecretVersion.version", cascade="all, delete-orphan"
    )
    scopes: Mapped[list[SecretScope]] = relationship(cascade="all, delete-orphan")


class SecretVersion(Base):
    __tablename__ = "secret_versions"
    __table_args__ = (UniqueConstraint("secret_id", "version"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    secret_id: Mapped[int] = mapped_column(ForeignKey("secrets.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    secret: Mapped[Secret] = relationship(back_populates="versions")


class SecretScope(Base):
    __tablename__ = "secret_scopes"
    secret_id: Mapped[int] = mapped_column(ForeignKey("secrets.id", ondelete="CASCADE"), primary_key=True)
    process_name: Mapped[str] = mapped_column(String(120), primary_key=True)


class KeyMaterial(Base):
    """Keys the control room keeps in the database, wrapped by the master key (e.g. the vault's RSA
    transit key, shared by every control-room process)."""

    __tablename__ = "key_material"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)


class AuditEvent(Base):
    """Append-only; once sealed, each row chains to the previous one by hash."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_object", "object_type", "object_id"),
        Index("ix_audit_actor", "actor_type", "actor_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(AwareDateTime, index=True)
    actor_type: Mapped[str] = mapped_column(String(16))  # user, runner, run, system
    actor_id: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # set once, by the sealer (audit.seal_pending): the event's place in the chain and its hashes
    seq: Mapped[int | None] = mapped_column(BigInteger)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


# --- the web UI (issue 5) ------------------------------------------------------------------------------
class LoginAttempt(Base):
    """One row per password attempt: the rate limit counts them in the database, so it holds across
    every gunicorn process and every control-room machine."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_ip_at", "ip", "at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(120))
    ip: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)


class ItemClaim(Base):
    """Who is working on an escalated item right now, so two handlers do not fix it twice."""

    __tablename__ = "item_claims"
    item_id: Mapped[int] = mapped_column(ForeignKey("work_items.id", ondelete="CASCADE"), primary_key=True)
    username: Mapped[str] = mapped_column(String(120))
    claimed_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)


class LabelledExample(Base):
    """A person's resolution of an escalated item, kept for the bots to learn from.

    `kind` names the bot whose output was judged (the step consuming the item's queue), `original`
    holds what the bot produced (payload and its exception), `label` what the person decided (the
    corrected payload, or the outcome and reason). Rows outlive the item, hence no foreign key."""

    __tablename__ = "labelled_examples"
    __table_args__ = (Index("ix_labelled_examples_kind_id", "kind", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(120))
    item_id: Mapped[int] = mapped_column(BigId, index=True)
    queue: Mapped[str] = mapped_column(String(120))
    outcome: Mapped[str] = mapped_column(String(16))  # retried | done | rejected
    original: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    label: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    username: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)


# Indexes for the UI's filters and keyset pages (newest first, by id).
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
Index("ix_process_runs_process_id", ProcessRun.process_id, ProcessRun.id)
Index("ix_process_runs_state_id", ProcessRun.state, ProcessRun.id)
Index("ix_process_runs_created_at", ProcessRun.created_at)
Index("ix_process_runs_ended_at", ProcessRun.ended_at)
Index("ix_step_runs_runner_state", StepRun.runner_id, StepRun.state)
Index("ix_step_runs_process_run", StepRun.process_run_id)
Index("ix_audit_action_id", AuditEvent.action, AuditEvent.id)
Index("ix_audit_actor_id_id", AuditEvent.actor_id, AuditEvent.id)
Index("ix_audit_events_seq", AuditEvent.seq, unique=True)
Index("ix_audit_events_unsealed", AuditEvent.id, postgresql_where=AuditEvent.seq.is_(None),
      sqlite_where=AuditEvent.seq.is_(None))


class QueueDepthSample(Base):
    """Items waiting and escalated per queue, every few minutes: the dashboard's depth-over-time chart."""

    __tablename__ = "queue_depth_samples"
    __table_args__ = (UniqueConstraint("queue_id", "at"), Index("ix_queue_depth_samples_at", "at"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(AwareDateTime)
    waiting: Mapped[int] = mapped_column(Integer)
    escalated: Mapped[int] = mapped_column(Integer)
