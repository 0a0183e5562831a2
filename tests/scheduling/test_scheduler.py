"""Schedules firing with a controlled clock, catch-up, overlap, queue triggers, several control rooms."""
import multiprocessing
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from control_room.clock import SYSTEM_CLOCK
from control_room.fleet.models import ProcessRun, RunState, Schedule, StepRun
from control_room.fleet.processes import get_process
from control_room.fleet.scheduler import (
    FleetScheduler,
    check_triggers,
    fire_schedule,
    start_queued_fires,
    start_retry_runs,
)
from control_room.fleet.schedules_file import parse
from control_room.fleet.schedules_sync import apply_fleet
from control_room.queue import transitions
from control_room.queue.models import ExceptionType, ItemState, WorkItem
from control_room.queue.reservation import reserve_next
from control_room.queue.transitions import NewItem
from control_room.storage.engine import make_engine, make_session_factory
from tests.support.seeds import ADMIN, declare

FLEET = """
processes:
  billing:
    steps: [{{name: deliver, bot: relay, task: consume}}]
schedules:
  - name: every-quarter
    process: billing
    cron: "*/15 * * * *"
    overlap: {overlap}
triggers:
  - {{process: billing, min_items: 3, max_active_runs: 1}}
"""


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _apply(sessions, overlap="skip"):
    with sessions.begin() as session:
        apply_fleet(session, parse(FLEET.format(overlap=overlap)), ADMIN)


def _fire(sessions, now):
    with sessions.begin() as session:
        schedule = session.scalar(select(Schedule))
        fired = fire_schedule(session, schedule, now)
        return (fired.fire_time, fired.outcome) if fired else None


def _runs(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(ProcessRun))


def test_schedule_fires_at_its_cron_time_once(sessions):
    _apply(sessions)
    assert _fire(sessions, _utc(2026, 11, 25, 9, 14, 59)) is None  # 09:00 was before the schedule existed
    assert _fire(sessions, _utc(2026, 11, 25, 9, 15, 0, 300000)) == (_utc(2026, 11, 25, 9, 15), "started")
    assert _fire(sessions, _utc(2026, 11, 25, 9, 15, 2)) is None  # same time: not twice


def test_after_a_restart_missed_fires_are_caught_up_once(sessions):
    _apply(sessions)
    assert _fire(sessions, _utc(2026, 11, 25, 9, 0, 1))[1] == "started"
    with sessions.begin() as session:
        session.execute(ProcessRun.__table__.update().values(state=RunState.COMPLETED))
    # down from 09:05 to 10:20: 09:15 … 10:15 were missed
    assert _fire(sessions, _utc(2026, 11, 25, 10, 20)) == (_utc(2026, 11, 25, 10, 15), "started")
    assert _fire(sessions, _utc(2026, 11, 25, 10, 21)) is None
    assert _runs(sessions) == 2


def test_overlap_skip_and_queue(sessions):
    _apply(sessions, overlap="skip")
    _fire(sessions, _utc(2026, 11, 25, 9, 0, 1))
    assert _fire(sessions, _utc(2026, 11, 25, 9, 15, 1))[1] == "skipped"  # previous run still pending
    _apply(sessions, overlap="queue")
    assert _fire(sessions, _utc(2026, 11, 25, 9, 30, 1))[1] == "queued"
    with sessions.begin() as session:
        assert start_queued_fires(session, _utc(2026, 11, 25, 9, 31)) == 0
        session.execute(ProcessRun.__table__.update().values(state=RunState.COMPLETED))
    with sessions.begin() as session:
        assert start_queued_fires(session, _utc(2026, 11, 25, 9, 32)) == 1
    assert _runs(sessions) == 2


def test_paused_schedule_does_not_fire(sessions):
    _apply(sessions)
    with sessions.begin() as session:
        session.scalar(select(Schedule)).paused = True
    assert _fire(sessions, _utc(2026, 11, 25, 9, 0, 1)) is None


def test_queue_trigger_starts_a_run_when_enough_items_wait(sessions):
    _apply(sessions)
    now = SYSTEM_CLOCK.now()
    with sessions.begin() as session:
        process = get_process(session, "billing")
        for n in range(2):
            transitions.create(session, process.input_queue, NewItem(payload={"n": n}), ADMIN, process_id=process.id)
    with sessions.begin() as session:
        assert check_triggers(session, now) == []  # 2 < 3
        process = get_process(session, "billing")
        transitions.create(session, process.input_queue, NewItem(payload={"n": 3}), ADMIN, process_id=process.id)
    with sessions.begin() as session:
        assert len(check_triggers(session, now)) == 1
    with sessions.begin() as session:
        assert check_triggers(session, now) == []  # one run active: max reached
    assert _runs(sessions) == 1


def test_the_scheduler_registers_each_schedule_with_apscheduler(sessions):
    _apply(sessions)
    scheduler = FleetScheduler(sessions, tick_seconds=3600)
    scheduler.start()
    try:
        next_time = scheduler.next_run_time("every-quarter")
        assert next_time is not None and next_time.minute % 15 == 0 and next_time > SYSTEM_CLOCK.now()
        with sessions.begin() as session:
            session.scalar(select(Schedule)).paused = True
        scheduler.sync_jobs()
        assert scheduler.next_run_time("every-quarter") is None
    finally:
        scheduler.stop()


def _fire_in_process(url: str, start_at: float, out) -> None:
    import time

    engine = make_engine(url)
    sessions = make_session_factory(engine)
    while time.time() < start_at:
        time.sleep(0.001)
    with sessions.begin() as session:
        fired = fire_schedule(session, session.scalar(select(Schedule)), _utc(2026, 11, 25, 9, 0, 1))
        out.put(fired.outcome if fired else None)
    engine.dispose()


def test_two_control_rooms_fire_a_schedule_once(sessions, settings):
    import time

    _apply(sessions)
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    start_at = time.time() + 3
    procs = [ctx.Process(target=_fire_in_process, args=(settings.resolved_database_url, start_at, out))
             for _ in range(2)]
    for p in procs:
        p.start()
    outcomes = sorted([out.get(timeout=60) for _ in procs], key=str)
    for p in procs:
        p.join()
    assert outcomes == [None, "started"]
    assert _runs(sessions) == 1


def test_an_item_back_from_a_failure_is_taken_by_a_new_run_from_its_step_once_its_back_off_ends(sessions):
    declare(sessions, "chain", steps=("collect", "deliver"), retry_base_seconds=60)
    with sessions.begin() as session:
        process = get_process(session, "chain")
        deliver = process.steps[1]
        item = transitions.create(session, deliver.queue, NewItem(payload={"invoice": "F-1"}), ADMIN,
                                  process_id=process.id)
        run = ProcessRun(process_id=process.id, state=RunState.RUNNING)
        session.add(run)
        session.flush()
        step_run = StepRun(process_run_id=run.id, step_id=deliver.id, state=RunState.RUNNING)
        session.add(step_run)
        session.flush()
        assert reserve_next(session, deliver.queue_id, step_run.id, 600, ADMIN) == item.id
        assert transitions.fail(session, item.id, step_run.id, ExceptionType.APPLICATION, "PORTAL_DOWN", "503",
                                ADMIN)  # retried after its back-off
        run.state = step_run.state = RunState.FAILED
        item_id, failed_at = item.id, SYSTEM_CLOCK.now()
    with sessions.begin() as session:
        assert start_retry_runs(session, failed_at) == []  # its back-off has not ended
    with sessions.begin() as session:
        [run_id] = start_retry_runs(session, failed_at + timedelta(minutes=5))
    with sessions.begin() as session:
        assert start_retry_runs(session, failed_at + timedelta(minutes=5)) == []  # one run at a time
        run = session.get(ProcessRun, run_id)
        assert [s.step.name for s in run.steps] == ["deliver"]  # straight to the step that reads the item
        assert session.get(WorkItem, item_id).state == ItemState.NEW
