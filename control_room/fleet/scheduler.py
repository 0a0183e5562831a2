"""The fleet scheduler: APScheduler fires each schedule at its cron time; a maintenance tick starts
queued fires and queue triggers, fails the runs of lost runners, samples queue depths, and follows
schedule changes.

Several control-room processes may run it on one PostgreSQL: a fire is taken by inserting its
(schedule, fire time) row, which the unique key lets only one process do, under an advisory lock.
"""
from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from control_room import audit
from control_room.audit.actors import SYSTEM, Actor
from control_room.clock import SYSTEM_CLOCK
from control_room.fleet import fire_times, liveness, runs
from control_room.fleet.models import Process, ProcessRun, ProcessStep, QueueTrigger, RunState, Schedule, ScheduleFire
from control_room.queue import depths
from control_room.queue.models import ItemState, WorkItem
from control_room.storage.engine import is_postgres

log = logging.getLogger(__name__)
FIRST_FIRE_GRACE = timedelta(minutes=2)  # a new schedule does not fire for times before it was declared
ACTIVE = (RunState.PENDING, RunState.RUNNING)


def _try_lock(session: Session, namespace: str, key: int) -> bool:
    if not is_postgres(session):
        return True  # SQLite: BEGIN IMMEDIATE already serialises writers
    lock = zlib.crc32(namespace.encode()) & 0x7FFFFFFF
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:a, :b)"), {"a": lock, "b": key}))


def active_runs(session: Session, process_id: int) -> int:
    return session.scalar(select(func.count()).select_from(ProcessRun).where(
        ProcessRun.process_id == process_id, ProcessRun.state.in_(ACTIVE))) or 0


def fire_schedule(session: Session, schedule: Schedule, now: datetime) -> ScheduleFire | None:
    """Fire the schedule for its latest due time, once; None when nothing is due or it was fired already."""
    if schedule.paused or not schedule.declared:
        return None
    last = session.scalar(select(func.max(ScheduleFire.fire_time)).where(ScheduleFire.schedule_id == schedule.id))
    due = fire_times.latest_due(schedule.cron, schedule.timezone, schedule.business_days_only,
                                    last or now - FIRST_FIRE_GRACE, now)
    if due is None or not _try_lock(session, "schedule", schedule.id):
        return None
    fire = ScheduleFire(schedule_id=schedule.id, fire_time=due, fired_at=now, outcome="claimed")
    try:
        with session.begin_nested():
            session.add(fire)
            session.flush()
    except IntegrityError:
        return None  # another control-room process fired it
    actor = Actor("system", f"schedule:{schedule.name}")
    if active_runs(session, schedule.process_id):
        fire.outcome = "queued" if schedule.overlap == "queue" else "skipped"
    else:
        fire.process_run_id = runs.start_run(session, schedule.process, actor).id
        fire.outcome = "started"
    session.flush()
    audit.record(session, actor, "schedule.fired", "schedule", schedule.name,
                 {"fire_time": due.isoformat(), "outcome": fire.outcome, "process_run_id": fire.process_run_id})
    return fire


def start_queued_fires(session: Session, now: datetime) -> int:
    """Fires that waited for the previous run (overlap: queue) start once their process is idle."""
    started = 0
    queued = session.scalars(select(ScheduleFire).where(ScheduleFire.outcome == "queued")
                             .order_by(ScheduleFire.fire_time)).all()
    for fire in queued:
        schedule = session.get(Schedule, fire.schedule_id)
        if schedule is None or active_runs(session, schedule.process_id):
            continue
        fire.process_run_id = runs.start_run(session, schedule.process, Actor("system", f"schedule:{schedule.name}")).id
        fire.outcome = "started"
        started += 1
    session.flush()
    return started


def waiting_items(session: Session, process: Process, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(WorkItem).where(
        WorkItem.queue_id == process.steps[0].queue_id, WorkItem.state == ItemState.NEW,
        or_(WorkItem.defer_until.is_(None), WorkItem.defer_until <= now))) or 0


def check_triggers(session: Session, now: datetime) -> list[int]:
    """Start runs for queue triggers whose threshold is met; returns the new run ids."""
    started = []
    for trig in session.scalars(select(QueueTrigger)).all():
        if not _try_lock(session, "trigger", trig.process_id):
            continue
        waiting, active = waiting_items(session, trig.process, now), active_runs(session, trig.process_id)
        if fire_times.should_trigger(waiting, active, trig.min_items, trig.max_active_runs):
            run = runs.start_run(session, trig.process, Actor("system", f"trigger:{trig.process.name}"))
            audit.record(session, SYSTEM, "trigger.fired", "process", trig.process.name,
                         {"waiting_items": waiting, "active_runs": active, "process_run_id": run.id})
            started.append(run.id)
    return started


def start_retry_runs(session: Session, now: datetime) -> list[int]:
    """Items back from a failure (an application failure's back-off, an expired lease, a dead run) whose
    back-off has ended are taken by a new run, from the step that reads them, when their process has no
    active run: nothing retried waits for a schedule that may never come. Returns the new run ids."""
    started = []
    due = (select(ProcessStep.id, ProcessStep.process_id, ProcessStep.position)
           .join(WorkItem, WorkItem.queue_id == ProcessStep.queue_id)
           .where(WorkItem.state == ItemState.NEW, WorkItem.attempts > 0, WorkItem.defer_until.is_not(None),
                  WorkItem.defer_until <= now)
           .distinct().order_by(ProcessStep.process_id, ProcessStep.position))
    seen: set[int] = set()
    for step_id, _process_id, _position in session.execute(due).all():
        step = session.get_one(ProcessStep, step_id)
        if step.process_id in seen or active_runs(session, step.process_id) \
                or not _try_lock(session, "retry", step.process_id):
            continue
        seen.add(step.process_id)
        run = runs.start_run(session, step.process, SYSTEM, step=step)
        audit.record(session, SYSTEM, "retry.started", "process", step.process.name,
                     {"step": step.name, "process_run_id": run.id})
        started.append(run.id)
    return started


class FleetScheduler:
    """Runs in each control-room process (gunicorn's master, or `arfleet up`)."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = SYSTEM_CLOCK.now,
                 tick_seconds: float = 5.0) -> None:
        self._sessions, self._clock, self._tick_seconds = sessions, clock, tick_seconds
        self._aps = BackgroundScheduler(timezone=UTC,
                                        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600})
        self._jobs: dict[str, tuple[str, str, bool]] = {}  # schedule name: (cron, timezone, business days)

    def start(self) -> None:
        self.sync_jobs()
        self.catch_up()
        self._aps.add_job(self.tick, "interval", seconds=self._tick_seconds, id="maintenance")
        self._aps.start()

    def stop(self) -> None:
        if self._aps.running:
            self._aps.shutdown(wait=True)

    def next_run_time(self, schedule_name: str) -> datetime | None:
        job = self._aps.get_job(f"schedule:{schedule_name}")
        return job.next_run_time if job else None

    def sync_jobs(self) -> None:
        """One APScheduler cron job per active schedule, following changes made by `schedules reload`
        or a person pausing a schedule."""
        with self._sessions() as session:
            wanted = {s.name: (s.cron, s.timezone, s.business_days_only)
                      for s in session.scalars(select(Schedule).where(Schedule.paused.is_(False),
                                                                      Schedule.declared.is_(True)))}
        for name in set(self._jobs) - set(wanted):
            self._aps.remove_job(f"schedule:{name}")
            del self._jobs[name]
        for name, shape in wanted.items():
            if self._jobs.get(name) != shape:
                self._aps.add_job(self.fire, trigger=fire_times.WallClockCronTrigger(*shape), args=[name],
                                  id=f"schedule:{name}", replace_existing=True)
                self._jobs[name] = shape

    def fire(self, schedule_name: str) -> None:
        try:
            with self._sessions.begin() as session:
                schedule = session.scalar(select(Schedule).where(Schedule.name == schedule_name))
                if schedule is not None:
                    fired = fire_schedule(session, schedule, self._clock())
                    if fired:
                        log.info("schedule %s fired for %s: %s", schedule_name, fired.fire_time, fired.outcome)
        except Exception:  # a failed fire must not stop the scheduler thread
            log.exception("schedule %s could not fire", schedule_name)

    def catch_up(self) -> None:
        """At start: each schedule fires once for the latest time it missed while nothing was running."""
        with self._sessions() as session:
            names = session.scalars(select(Schedule.name)).all()
        for name in names:
            self.fire(name)

    def tick(self) -> None:
        now = self._clock()
        try:
            self.sync_jobs()
            with self._sessions.begin() as session:
                liveness.fail_lost_runners(session, now)
            with self._sessions.begin() as session:
                start_queued_fires(session, now)
            with self._sessions.begin() as session:
                check_triggers(session, now)
            with self._sessions.begin() as session:
                start_retry_runs(session, now)
            with self._sessions.begin() as session:
                depths.sample(session, now)
        except Exception:
            log.exception("scheduler tick failed; will try again")
