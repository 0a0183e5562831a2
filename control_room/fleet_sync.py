"""Applying schedules.yaml to the database: processes, schedules and queue triggers. The running
schedulers pick the changes up from the database, so `arfleet schedules reload` reaches every
control-room process."""
from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from control_room import audit
from control_room.actors import Actor
from control_room.fleet_file import Fleet
from control_room.models import QueueTrigger, Schedule
from control_room.processes import apply_spec, get_process


def apply_fleet(session: Session, fleet: Fleet, actor: Actor) -> None:
    for spec in fleet.processes:
        apply_spec(session, spec, actor)
    declared = {s.name for s in fleet.schedules}
    for row in session.scalars(select(Schedule)):
        if row.name not in declared and row.declared:
            row.declared = False
    for spec in fleet.schedules:
        process_id = get_process(session, spec.process).id
        row = session.scalar(select(Schedule).where(Schedule.name == spec.name))
        if row is None:
            row = Schedule(name=spec.name, paused=False, process_id=process_id)
            session.add(row)
        row.process_id, row.cron, row.timezone = process_id, spec.cron, spec.timezone
        row.business_days_only, row.overlap, row.declared = spec.business_days_only, spec.overlap, True
    session.execute(delete(QueueTrigger))
    for spec in fleet.triggers:
        session.add(QueueTrigger(process_id=get_process(session, spec.process).id, min_items=spec.min_items,
                                 max_active_runs=spec.max_active_runs))
    session.flush()
    audit.record(session, actor, "fleet.applied", "fleet", "schedules.yaml",
                 {"processes": [p.name for p in fleet.processes], "schedules": sorted(declared),
                  "triggers": [t.process for t in fleet.triggers]})
