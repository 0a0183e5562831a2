"""Real `arfleet runner` subprocesses against a live control room, on SQLite and PostgreSQL."""
from datetime import timedelta

import requests
from sqlalchemy import select

from control_room.clock import SYSTEM_CLOCK
from control_room.fleet.liveness import fail_lost_runners
from control_room.fleet.models import Runner, RunState, StepRun
from control_room.queue.models import ItemState, WorkItem
from tests.support.live_fleet import wait_until
from tests.support.seeds import auth, declare


def _items(sessions) -> list[WorkItem]:
    with sessions() as session:
        return session.scalars(select(WorkItem).order_by(WorkItem.id)).all()


def test_two_step_process_step_one_outputs_feed_step_two(fleet, sessions):
    declare(sessions, "relay", steps=("forward", "consume"), bot="relay", task="forward")
    with sessions.begin() as session:  # step 2 runs the other task of the same bot
        from control_room.fleet.processes import get_process
        get_process(session, "relay").steps[1].task = "consume"
    fleet.runner()
    run_id = fleet.start("relay", [{"payload": {"n": n}} for n in range(3)])
    run = fleet.wait_run(run_id)
    assert run["state"] == "completed", run
    assert [(s["step"], s["state"]) for s in run["steps"]] == [("forward", "completed"), ("consume", "completed")]
    items = _items(sessions)
    assert len(items) == 6 and {i.state for i in items} == {ItemState.DONE}
    outputs = [i for i in items if i.parent_id]
    assert sorted(i.payload["n"] for i in outputs) == [0, 1, 2] and all(i.payload["forwarded"] for i in outputs)
    consume_logs = fleet.step_logs(run["steps"][1]["id"])
    assert sum("consumed" in line for line in consume_logs) == 3
    assert any("bot exited with code 0" in line for line in consume_logs)


def test_log_lines_arrive_while_the_bot_is_still_running(fleet, sessions):
    declare(sessions, "talk", bot="relay", task="talk_slowly")
    fleet.runner()
    run_id = fleet.start("talk", [{"payload": {"seconds": 6}}])
    step_id = wait_until(lambda: (r := fleet.run(run_id))["steps"] and r["steps"][0]["state"] == "running"
                         and r["steps"][0]["id"], 60, "the bot to start")
    wait_until(lambda: any("working line 2" in line for line in fleet.step_logs(step_id)), 30, "early log lines")
    assert fleet.run(run_id)["state"] == "running"  # lines arrived before the end
    assert fleet.wait_run(run_id)["state"] == "completed"


def test_a_hanging_bot_is_killed_at_its_timeout_and_its_item_retried(fleet, sessions):
    declare(sessions, "stuck", bot="relay", task="hang", max_retries=3)
    with sessions.begin() as session:
        from control_room.fleet.processes import get_process
        get_process(session, "stuck").steps[0].timeout_seconds = 3
    fleet.runner()
    run_id = fleet.start("stuck", [{"payload": {}, "reference": "F-1"}])
    run = fleet.wait_run(run_id, timeout=60)
    assert run["state"] == "failed"
    assert any("timeout after 3s" in line for line in fleet.step_logs(run["steps"][0]["id"]))
    [item] = _items(sessions)
    assert item.state is ItemState.NEW and item.exception_code == "NOT_RELEASED" and item.attempts == 1


def test_a_stop_request_terminates_the_running_bot(fleet, sessions):
    declare(sessions, "stuck", bot="relay", task="hang")
    fleet.runner()
    run_id = fleet.start("stuck", [{"payload": {}}])
    wait_until(lambda: any("never letting go" in line for r in [fleet.run(run_id)] for s in r["steps"]
                           for line in fleet.step_logs(s["id"])), 60, "the bot to start")
    stopped = requests.post(f"{fleet.url}/api/v1/runs/{run_id}/stop", headers=auth(fleet.ops), timeout=10)
    assert stopped.status_code == 200
    run = fleet.wait_run(run_id, timeout=40)
    assert run["state"] == "stopped"
    assert any("stop requested" in line for line in fleet.step_logs(run["steps"][0]["id"]))
    [item] = _items(sessions)
    assert item.state is ItemState.NEW  # back in its queue


def test_a_killed_runner_is_marked_lost_and_its_items_come_back(fleet, sessions):
    declare(sessions, "stuck", bot="relay", task="hang")
    runner = fleet.runner()
    run_id = fleet.start("stuck", [{"payload": {}}])
    wait_until(lambda: fleet.run(run_id)["state"] == "running", 60, "the run to start")
    runner.kill()
    with sessions.begin() as session:
        assert fail_lost_runners(session, SYSTEM_CLOCK.now() + timedelta(seconds=30)) == []  # not yet: 2 minutes
    with sessions.begin() as session:
        assert fail_lost_runners(session, SYSTEM_CLOCK.now() + timedelta(minutes=3)) == ["vm-1"]
    with sessions() as session:
        assert session.scalar(select(Runner)).lost_at is not None
        assert session.scalar(select(StepRun)).state is RunState.FAILED
    [item] = _items(sessions)
    assert item.state is ItemState.NEW and item.exception_code == "NOT_RELEASED"


def test_control_room_restarted_mid_run_gets_the_result_afterwards(fleet, sessions):
    declare(sessions, "talk", bot="relay", task="talk_slowly")
    fleet.runner()
    run_id = fleet.start("talk", [{"payload": {"seconds": 5}}])
    step_id = wait_until(lambda: (r := fleet.run(run_id))["steps"] and r["steps"][0]["state"] == "running"
                         and r["steps"][0]["id"], 60, "the bot to start")
    fleet.restart(down_seconds=3)
    run = fleet.wait_run(run_id, timeout=90)
    assert run["state"] == "completed"
    lines = fleet.step_logs(step_id)
    assert sum(line.startswith("working line") for line in lines) == int(5 / 0.3)
    [item] = _items(sessions)
    assert item.state is ItemState.DONE

