"""Where a runner is declared lost: silent for LOST_AFTER (no heartbeat), its running step runs fail and
their items go back to their queues; a heartbeat brings it back (api/runners.touch). The scheduler's
maintenance tick calls `fail_lost_runners`; the dashboard shows the same rule (`is_lost`)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from control_room import audit
from control_room.audit.actors import SYSTEM
from control_room.fleet import runs
from control_room.fleet.models import Runner, RunState, StepRun

LOST_AFTER = timedelta(minutes=2)


def is_lost(runner: Runner, now: datetime) -> bool:
    return runner.last_heartbeat_at is None or now - runner.last_heartbeat_at > LOST_AFTER


def fail_lost_runners(session: Session, now: datetime) -> list[str]:
    """Runners silent for LOST_AFTER are marked lost; their runs fail and their items go back to the queue."""
    lost = session.scalars(select(Runner).where(Runner.retired.is_(False), Runner.lost_at.is_(None),
                                                Runner.last_heartbeat_at < now - LOST_AFTER)).all()
    for runner in lost:
        last_heartbeat_at = runner.last_heartbeat_at
        if last_heartbeat_at is None:  # the query compared it, so SQL left out runners without one
            raise RuntimeError(f"runner {runner.name} selected as lost but has no heartbeat")
        runner.lost_at = now
        audit.record(session, SYSTEM, "runner.lost", "runner", runner.id,
                     {"name": runner.name, "last_heartbeat_at": last_heartbeat_at.isoformat()})
        for step_run in session.scalars(select(StepRun).where(StepRun.runner_id == runner.id,
                                                              StepRun.state == RunState.RUNNING)).all():
            runs.finish(session, step_run, exit_code=-1, actor=SYSTEM, note=f"runner {runner.name} lost")
    return [r.name for r in lost]
