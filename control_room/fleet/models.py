"""The fleet's tables: processes and their steps, runs and step runs, runners, schedules, fires and
queue triggers, registration tokens, run logs and artifacts."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from control_room.storage.base import AwareDateTime, Base, BigId, enum_column, utcnow

if TYPE_CHECKING:
    from control_room.queue.models import Queue


class RunState(str, enum.Enum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    STOPPED = "stopped"


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


class ProcessRun(Base):
    __tablename__ = "process_runs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"))
    state: Mapped[RunState] = mapped_column(enum_column(RunState), default=RunState.PENDING)
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
    state: Mapped[RunState] = mapped_column(enum_column(RunState), default=RunState.PENDING, index=True)
    runner_id: Mapped[int | None] = mapped_column(ForeignKey("runners.id"))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    exit_code: Mapped[int | None] = mapped_column(Integer)
    stop_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    log_lines_lost: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # said by its runner
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


Index("ix_process_runs_process_id", ProcessRun.process_id, ProcessRun.id)
Index("ix_process_runs_state_id", ProcessRun.state, ProcessRun.id)
Index("ix_process_runs_created_at", ProcessRun.created_at)
Index("ix_process_runs_ended_at", ProcessRun.ended_at)
Index("ix_step_runs_runner_state", StepRun.runner_id, StepRun.state)
Index("ix_step_runs_process_run", StepRun.process_run_id)
