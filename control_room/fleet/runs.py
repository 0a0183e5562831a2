"""Process runs and step runs: starting, handing a step run to a runner, finishing, stopping.

A step run's token exists only while the step run is running: it is the bot's key to the robot API
and to its own process's items and secrets, nothing else.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from control_room import audit, clock
from control_room.access import tokens
from control_room.audit.actors import SYSTEM, Actor
from control_room.fleet.models import Process, ProcessRun, ProcessStep, Runner, RunState, StepRun
from control_room.queue import reservation, transitions
from control_room.queue.models import ItemState, WorkItem
from control_room.queue.transitions import NewItem
from control_room.storage.engine import is_postgres

WORKSPACE_ID = "arfleet"
ACTIVE = (RunState.PENDING, RunState.RUNNING)


class RunError(Exception):
    pass


def start_run(session: Session, process: Process, actor: Actor, payloads: list[NewItem] | None = None,
              step: ProcessStep | None = None) -> ProcessRun:
    """A run of the process from its first step (or from `step`, for items waiting there); `payloads`
    become items of the first step's input queue first."""
    first = process.steps[0]
    for new in payloads or []:
        transitions.create(session, first.queue, new, actor, process_id=process.id)
    start = step or first
    run = ProcessRun(process_id=process.id, state=RunState.PENDING, requested_by=str(actor))
    session.add(run)
    session.flush()
    session.add(StepRun(process_run_id=run.id, step_id=start.id, state=RunState.PENDING))
    session.flush()
    audit.record(session, actor, "run.requested", "process_run", run.id,
                 {"process": process.name, "payloads": len(payloads or []), "step": start.name})
    return run


@dataclass(frozen=True)
class Assignment:
    step_run: StepRun
    token: str
    first_item_id: int


def _set_step_state(session: Session, step_run_id: int, allowed: tuple[RunState, ...], **values: Any) -> bool:
    result = session.execute(update(StepRun).where(StepRun.id == step_run_id, StepRun.state.in_(allowed))
                             .values(**values).execution_options(synchronize_session=False))
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]  # (CursorResult)


def running_count(session: Session, runner_id: int) -> int:
    return session.scalar(select(func.count()).select_from(StepRun)
                          .where(StepRun.runner_id == runner_id, StepRun.state == RunState.RUNNING)) or 0


def assign_next(session: Session, runner: Runner) -> Assignment | None:
    """Give the runner the oldest pending step run its labels allow, with its first item reserved.
    A step run whose queue is empty ends at once, as completed with nothing to do, unless its step
    starts empty (then it gets one empty item, as a Robocorp run started without input does)."""
    if running_count(session, runner.id) >= runner.capacity:
        return None
    query = (select(StepRun).where(StepRun.state == RunState.PENDING, StepRun.stop_requested.is_(False))
             .order_by(StepRun.id).limit(20))
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True, of=StepRun)
    for step_run in session.scalars(query).all():
        step = step_run.step
        if not set(step.labels) <= set(runner.labels):
            continue
        lease = step.lease_seconds or step.process.lease_seconds
        item_id = reservation.reserve_next(session, step.queue_id, step_run.id, lease, Actor.run(step_run.id))
        if item_id is None and step.starts_empty and step.position == 0:
            item_id = _empty_input(session, step, step_run, lease)
        if item_id is None:
            finish(session, step_run, exit_code=0, actor=SYSTEM, note="no work items waiting")
            continue
        token = tokens.new_token("run")
        if not _set_step_state(session, step_run.id, (RunState.PENDING,), state=RunState.RUNNING,
                               runner_id=runner.id, token_hash=tokens.token_hash(token),
                               started_at=clock.now(session)):
            raise RunError(f"step run {step_run.id} was taken meanwhile")
        session.execute(update(ProcessRun).where(ProcessRun.id == step_run.process_run_id,
                                                 ProcessRun.state == RunState.PENDING)
                        .values(state=RunState.RUNNING))
        session.refresh(step_run)
        audit.record(session, Actor.runner(runner.name), "step_run.started", "step_run", step_run.id,
                     {"process": step.process.name, "step": step.name, "first_item_id": item_id})
        return Assignment(step_run, token, item_id)
    return None


def _empty_input(session: Session, step: ProcessStep, step_run: StepRun, lease: int) -> int | None:
    """The one empty input item of a run whose first step reads nothing of its own (e.g. collect from
    the ERP): created and reserved in the assignment's transaction, so no other run can take it."""
    actor = Actor.run(step_run.id)
    transitions.create(session, step.queue, NewItem(payload={}), actor, process_id=step.process_id)
    return reservation.reserve_next(session, step.queue_id, step_run.id, lease, actor)


@dataclass(frozen=True)
class RunContext:
    """What the robot API needs to know about the run behind a token, read in one query."""

    step_run_id: int
    process_run_id: int
    process_id: int
    process_name: str
    queue_id: int
    output_queue_id: int | None
    lease_seconds: int


# Built once: every robot API call runs it (one_statement_calls builds on it too).
RUN_BY_TOKEN = (
    select(StepRun.id, StepRun.process_run_id, ProcessStep.process_id, Process.name, ProcessStep.queue_id,
           ProcessStep.output_queue_id,
           func.coalesce(ProcessStep.lease_seconds, Process.lease_seconds).label("lease_seconds"))
    .join(ProcessStep, StepRun.step_id == ProcessStep.id).join(Process, ProcessStep.process_id == Process.id)
    .where(StepRun.token_hash == bindparam("token_hash"), StepRun.state == RunState.RUNNING)
)


def run_for_token(session: Session, token: str) -> RunContext | None:
    """The running step run a bot's bearer token belongs to; None once the run has ended."""
    row = session.connection().execute(RUN_BY_TOKEN, {"token_hash": tokens.token_hash(token)}).first()
    return RunContext(*row) if row else None


def finish(session: Session, step_run: StepRun, exit_code: int, actor: Actor, note: str = "",
           log_lines_lost: int = 0) -> None:
    """End a step run: what it still holds is done when it passed (exit 0) and settled as an application
    failure otherwise (failed, stopped, timed out, its runner lost); start the next step if it has work;
    close the run."""
    state = RunState.COMPLETED if exit_code == 0 else RunState.FAILED
    if step_run.stop_requested:
        state = RunState.STOPPED
    if not _set_step_state(session, step_run.id, ACTIVE, state=state, exit_code=exit_code,
                           ended_at=clock.now(session), token_hash=None, log_lines_lost=log_lines_lost):
        raise RunError(f"step run {step_run.id} has already ended")
    held = session.scalars(select(WorkItem.id).where(WorkItem.step_run_id == step_run.id,
                                                     WorkItem.state == ItemState.RESERVED)).all()
    for item_id in held:
        if state == RunState.COMPLETED:
            # as Robocorp's Control Room does: a run that passed is done with what it still holds (the
            # simplest bot reads `inputs.current`, writes its outputs and never releases)
            transitions.complete(session, item_id, step_run.id, Actor.run(step_run.id))
        else:
            transitions.settle_abandoned(session, item_id, step_run.id)
    session.refresh(step_run)
    audit.record(session, actor, "step_run.finished", "step_run", step_run.id,
                 {"state": state.value, "exit_code": exit_code, "settled_items": list(held), "note": note,
                  "log_lines_lost": log_lines_lost})
    _advance(session, step_run)


def _advance(session: Session, step_run: StepRun) -> None:
    run = step_run.process_run
    step = step_run.step
    # a failed step's finished items made outputs too: the next step takes them (a stopped run stops here)
    if step_run.state in (RunState.COMPLETED, RunState.FAILED) and step.output_queue_id is not None:
        next_step = session.scalar(select(ProcessStep).where(ProcessStep.process_id == step.process_id,
                                                             ProcessStep.position == step.position + 1))
        waiting = session.scalar(select(func.count()).select_from(WorkItem).where(
            WorkItem.queue_id == step.output_queue_id, WorkItem.state == ItemState.NEW))
        if next_step is not None and waiting:
            session.add(StepRun(process_run_id=run.id, step_id=next_step.id, state=RunState.PENDING))
            session.flush()
            return
    still_active = session.scalar(select(func.count()).select_from(StepRun).where(
        StepRun.process_run_id == run.id, StepRun.state.in_(ACTIVE)))
    if still_active:
        return
    states = {s.state for s in session.scalars(select(StepRun).where(StepRun.process_run_id == run.id))}
    final = (RunState.STOPPED if RunState.STOPPED in states
             else RunState.FAILED if RunState.FAILED in states else RunState.COMPLETED)
    run.state, run.ended_at = final, clock.now(session)
    session.flush()
    audit.record(session, SYSTEM, "run.finished", "process_run", run.id, {"state": final.value})


def request_stop(session: Session, run: ProcessRun, actor: Actor) -> None:
    """Pending steps are cancelled now; running ones are killed by their runner at its next heartbeat."""
    if run.state not in ACTIVE:
        raise RunError(f"run {run.id} has already ended ({run.state.value})")
    for step_run in list(run.steps):
        if step_run.state == RunState.PENDING:
            step_run.stop_requested = True
            finish(session, step_run, exit_code=-1, actor=actor, note="stopped before it started")
        elif step_run.state == RunState.RUNNING:
            step_run.stop_requested = True
    session.flush()
    audit.record(session, actor, "run.stop_requested", "process_run", run.id, {})
