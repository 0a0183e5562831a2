"""Applying schedules.yaml to the database: processes, schedules and queue triggers. The running
schedulers pick the changes up from the database, so `arfleet schedules reload` reaches every
control-room process."""
from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from control_room import audit
from control_room.audit.actors import Actor
from control_room.fleet.models import QueueTrigger, Schedule
from control_room.fleet.processes import apply_spec, get_process
from control_room.fleet.schedules_file import Fleet


def apply_fleet(session: Session, fleet: Fleet, actor: Actor) -> None:
    for process_spec in fleet.processes:
        apply_spec(session, process_spec, actor)
    declared = {s.name for s in fleet.schedules}
    for existing in session.scalars(select(Schedule)):
        if existing.name not in declared and existing.declared:
            existing.declared = False
    for schedule_spec in fleet.schedules:
        process_id = get_process(session, schedule_spec.process).id
        row = session.scalar(select(Schedule).where(Schedule.name == schedule_spec.name))
        if row is None:
            row = Schedule(name=schedule_spec.name, paused=False, process_id=process_id)
            session.add(row)
        row.process_id, row.cron, row.timezone = process_id, schedule_spec.cron, schedule_spec.timezone
        row.business_days_only, row.overlap = schedule_spec.business_days_only, schedule_spec.overlap
        row.declared = True
    session.execute(delete(QueueTrigger))
    for trigger_spec in fleet.triggers:
        session.add(QueueTrigger(process_id=get_process(session, trigger_spec.process).id,
                                 min_items=trigger_spec.min_items, max_active_runs=trigger_spec.max_active_runs))
    session.flush()
    audit.record(session, actor, "fleet.applied", "fleet", "schedules.yaml",
                 {"processes": [p.name for p in fleet.processes], "schedules": sorted(declared),
                  "triggers": [t.process for t in fleet.triggers]})
