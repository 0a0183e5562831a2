"""Declaring processes and their steps (schedules.yaml loads through here)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from control_room import audit
from control_room.audit.actors import Actor
from control_room.fleet.models import Process, ProcessStep
from control_room.queue.models import Queue


class UnknownProcess(LookupError):
    pass


@dataclass(frozen=True)
class StepSpec:
    name: str
    bot: str
    task: str
    queue: str | None = None  # default: "<process>.<step>"
    labels: tuple[str, ...] = ()
    timeout_seconds: int = 3600
    lease_seconds: int | None = None  # None: the process's
    max_retries: int | None = None  # None: the process's
    poll_codes: tuple[str, ...] = ()  # application failure codes meaning "not ready yet"
    poll_seconds: int | None = None
    escalate_codes: tuple[str, ...] = ()  # application failure codes no retry can fix
    starts_empty: bool = False  # first step only: a run on an empty queue gets one empty input item


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    steps: tuple[StepSpec, ...]
    lease_seconds: int = 600
    max_retries: int = 3
    retry_base_seconds: int = 30
    description: str = ""


def queue_named(session: Session, name: str) -> Queue:
    queue = session.scalar(select(Queue).where(Queue.name == name))
    if queue is None:
        queue = Queue(name=name)
        session.add(queue)
        session.flush()
    return queue


def apply_spec(session: Session, spec: ProcessSpec, actor: Actor) -> Process:
    """Create or update a process so it matches `spec`; each step's outputs feed the next step's queue."""
    process = session.scalar(select(Process).where(Process.name == spec.name))
    if process is None:
        process = Process(name=spec.name)
        session.add(process)
    process.description = spec.description
    process.lease_seconds, process.max_retries = spec.lease_seconds, spec.max_retries
    process.retry_base_seconds = spec.retry_base_seconds
    queues = [queue_named(session, s.queue or f"{spec.name}.{s.name}") for s in spec.steps]
    existing = {s.position: s for s in process.steps}
    for position, (step_spec, queue) in enumerate(zip(spec.steps, queues, strict=True)):
        step = existing.pop(position, None) or ProcessStep(position=position)
        step.name, step.bot, step.task = step_spec.name, step_spec.bot, step_spec.task
        step.queue, step.labels, step.timeout_seconds = queue, list(step_spec.labels), step_spec.timeout_seconds
        step.lease_seconds, step.max_retries = step_spec.lease_seconds, step_spec.max_retries
        step.poll_codes, step.poll_seconds = list(step_spec.poll_codes), step_spec.poll_seconds
        step.escalate_codes, step.starts_empty = list(step_spec.escalate_codes), step_spec.starts_empty
        step.output_queue = queues[position + 1] if position + 1 < len(queues) else None
        if step not in process.steps:
            process.steps.append(step)
    for leftover in existing.values():
        process.steps.remove(leftover)
    session.flush()
    audit.record(session, actor, "process.declared", "process", spec.name,
                 {"steps": [s.name for s in spec.steps], "max_retries": spec.max_retries,
                  "lease_seconds": spec.lease_seconds})
    return process


def get_process(session: Session, name: str) -> Process:
    process = session.scalar(select(Process).where(Process.name == name))
    if process is None:
        raise UnknownProcess(f"no process named {name!r}")
    return process
