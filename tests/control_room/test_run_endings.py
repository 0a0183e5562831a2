"""How a step run's end settles what it leaves behind (both databases): a run that passed is done with what it
still holds, and its outputs go on; a failed step's finished items still feed the next step; a stopped
run goes no further."""
from __future__ import annotations

from sqlalchemy import select

from control_room.audit.actors import SYSTEM, Actor
from control_room.fleet import runs
from control_room.fleet.models import ProcessRun, RunState, StepRun
from control_room.fleet.processes import get_process
from control_room.queue import transitions
from control_room.queue.models import ItemState, WorkItem
from control_room.queue.reservation import reserve_next
from control_room.queue.transitions import NewItem
from tests.support.seeds import ADMIN, declare


def _first_step_holding(sessions, payloads: list[dict]) -> tuple[int, list[int]]:
    """A running first step run of `chain` that reserved each payload's item in turn and wrote one output per
    item (a draft until its input is released); returns (step run id, input ids)."""
    with sessions.begin() as session:
        process = get_process(session, "chain")
        first = process.steps[0]
        run = runs.start_run(session, process, ADMIN, [NewItem(payload=p) for p in payloads])
        step_run = session.scalar(select(StepRun).where(StepRun.process_run_id == run.id))
        step_run.state = RunState.RUNNING
        inputs = []
        for _ in payloads:
            item_id = reserve_next(session, first.queue_id, step_run.id, 600, Actor.run(step_run.id))
            transitions.create(session, process.steps[1].queue, NewItem(payload={"from": item_id}, parent_id=item_id),
                               Actor.run(step_run.id), process_id=process.id, draft_of_run=step_run.id)
            inputs.append(item_id)
        return step_run.id, inputs


def _finish(sessions, step_run_id: int, exit_code: int, stop: bool = False) -> None:
    with sessions.begin() as session:
        step_run = session.get_one(StepRun, step_run_id)
        step_run.stop_requested = stop
        runs.finish(session, step_run, exit_code, SYSTEM)


def _next_steps(sessions, step_run_id: int) -> list[str]:
    with sessions() as session:
        run = session.get_one(ProcessRun, session.get_one(StepRun, step_run_id).process_run_id)
        return [s.step.name for s in run.steps]


def test_a_run_that_passed_is_done_with_what_it_still_holds(sessions):
    declare(sessions, "chain", steps=("collect", "deliver"))
    step_run_id, [held] = _first_step_holding(sessions, [{"invoice": "F-1"}])
    _finish(sessions, step_run_id, 0)
    with sessions() as session:
        item = session.get_one(WorkItem, held)
        output = session.scalar(select(WorkItem).where(WorkItem.parent_id == held))
        assert (item.state, item.exception_code) == (ItemState.DONE, None)
        assert output.state == ItemState.NEW  # published for the next step
    assert _next_steps(sessions, step_run_id) == ["collect", "deliver"]


def test_a_failed_step_still_hands_its_finished_items_outputs_to_the_next_step(sessions):
    declare(sessions, "chain", steps=("collect", "deliver"))
    step_run_id, [finished, failing] = _first_step_holding(sessions, [{"n": 1}, {"n": 2}])
    with sessions.begin() as session:  # the first went through before the bot crashed on the second
        transitions.complete(session, finished, step_run_id, Actor.run(step_run_id))
    _finish(sessions, step_run_id, 1)
    with sessions() as session:
        assert session.get_one(WorkItem, failing).exception_code == "NOT_RELEASED"
        waiting = session.scalars(select(WorkItem).where(WorkItem.parent_id.is_not(None),
                                                         WorkItem.state == ItemState.NEW)).all()
        assert [w.payload for w in waiting] == [{"from": finished}]
    assert _next_steps(sessions, step_run_id) == ["collect", "deliver"]


def test_a_stopped_run_goes_no_further(sessions):
    declare(sessions, "chain", steps=("collect", "deliver"))
    step_run_id, [held] = _first_step_holding(sessions, [{"n": 1}])
    with sessions.begin() as session:
        transitions.complete(session, held, step_run_id, Actor.run(step_run_id))
    _finish(sessions, step_run_id, -15, stop=True)
    assert _next_steps(sessions, step_run_id) == ["collect"]
