"""A Robocorp bot runs on arfleet as in Robocorp's Control Room, through a real runner (SQLite and PostgreSQL):
a live bot keeps its item past its lease, a run that passed is done with what it still holds, each run has
its own folder and its artifacts folder, and no console line is lost."""
from __future__ import annotations

import dataclasses
import json
import time
from datetime import timedelta
from pathlib import Path

import requests
from sqlalchemy import select

from control_room.audit.models import AuditEvent
from control_room.fleet.models import Artifact
from control_room.fleet.processes import get_process
from control_room.queue import leases
from control_room.queue.models import ItemState, WorkItem
from tests.support.live_fleet import LiveFleet, wait_until
from tests.support.robot_bots import TEST_BOTS
from tests.support.seeds import auth, declare, make_user, register_runner, start_and_assign, user_token
from tests.support.ui_client import Browser

SAMPLES = "robocorp_samples"


def _items(sessions) -> list[WorkItem]:
    with sessions() as session:
        return list(session.scalars(select(WorkItem).order_by(WorkItem.id)))


def _audit(sessions, action: str) -> list[AuditEvent]:
    with sessions() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _starting_empty(sessions, process: str) -> None:
    """The process's first step reads no queue of its own: a run gets one empty item (schedules.yaml's
    `starts_empty: true`)."""
    with sessions.begin() as session:
        get_process(session, process).steps[0].starts_empty = True


def _sweep(sessions) -> int:
    """What the control room's lease sweeper does every few seconds."""
    with sessions.begin() as session:
        return leases.sweep_expired(session)


def test_a_live_bot_keeps_its_item_past_its_lease_and_a_dead_one_loses_it(fleet, sessions, clock):
    declare(sessions, "slow", bot=SAMPLES, task="hold", lease_seconds=2)
    fleet.runner("vm-1")
    run_id = fleet.start("slow", [{"payload": {"seconds": 6}, "reference": "F-1"}])
    wait_until(lambda: _items(sessions)[0].state == ItemState.RESERVED, 60, "the bot to take its item")
    [held] = _items(sessions)
    deadline = time.monotonic() + 6  # three times its lease, the sweeper passing every half second
    while time.monotonic() < deadline:
        assert _sweep(sessions) == 0
        time.sleep(0.5)
    fleet.runner("vm-2")  # a second runner, and a second run, find nothing to take
    second = fleet.wait_run(fleet.start("slow", []))
    assert second["state"] == "completed"
    assert fleet.wait_run(run_id)["state"] == "completed"
    [done] = _items(sessions)
    assert (done.state, done.attempts, done.step_run_id) == (ItemState.DONE, 1, held.step_run_id)  # its one holder
    assert [e.object_id for e in _audit(sessions, "item.reserved")] == [str(held.id)]  # taken once

    run_id = fleet.start("slow", [{"payload": {"seconds": 600}, "reference": "F-2"}])
    wait_until(lambda: _items(sessions)[-1].state == ItemState.RESERVED, 60, "the bot to take its item")
    holder = next(r for r in fleet.runners if r.bot_processes("hold"))
    holder.kill()  # the VM goes away: no more heartbeats
    assert _sweep(sessions) == 0  # its lease still runs
    clock.advance(timedelta(seconds=3))
    assert _sweep(sessions) == 1
    item = _items(sessions)[-1]
    assert (item.state, item.exception_code) == (ItemState.NEW, "LEASE_EXPIRED")


def test_the_readme_bot_and_a_bot_without_work_items_pass_and_leave_nothing_to_retry(fleet, sessions):
    declare(sessions, "readme", steps=("handle", "consume"), bot=SAMPLES, task="handle_item")
    with sessions.begin() as session:  # step 2 consumes what the README bot created
        step = get_process(session, "readme").steps[1]
        step.bot, step.task = "relay", "consume"
    declare(sessions, "hello", bot="no_workitems", task="say_hello")
    _starting_empty(sessions, "hello")
    fleet.runner()
    run = fleet.wait_run(fleet.start("readme", [{"payload": {"invoice": "F-1"}}]))
    assert run["state"] == "completed", fleet.logs(run)
    assert [(s["step"], s["state"]) for s in run["steps"]] == [("handle", "completed"), ("consume", "completed")]
    source, output = _items(sessions)
    assert (source.state, source.exception_code) == (ItemState.DONE, None)
    assert (output.parent_id, output.payload, output.state) == (source.id, {"key": "value"}, ItemState.DONE)

    hello = fleet.wait_run(fleet.start("hello", []))
    assert hello["state"] == "completed", fleet.logs(hello)
    assert any("knows nothing of work items" in line for line in fleet.step_logs(hello["steps"][0]["id"]))
    assert {i.state for i in _items(sessions)} == {ItemState.DONE}  # its empty starting item too


def test_robot_artifacts_and_a_folder_of_its_own_for_each_run(fleet, sessions, tmp_path):
    declare(sessions, "report", bot=SAMPLES, task="write_report")
    _starting_empty(sessions, "report")
    declare(sessions, "fetch", bot=SAMPLES, task="fetch_file")
    runner = fleet.runner(capacity=2)
    run = fleet.wait_run(fleet.start("report", []))
    assert run["state"] == "completed", fleet.logs(run)
    with sessions() as session:
        names = session.scalars(select(Artifact.name).where(Artifact.step_run_id == run["steps"][0]["id"])).all()
    assert "report.txt" in names and "log.html" in names, names

    runs = []
    for n in (1, 2):  # two runs of one bot on one runner at once, each fetching "inv.pdf" without a path
        answer = requests.post(f"{fleet.url}/api/v1/items", headers=fleet.headers, timeout=10,
                               data={"item": json.dumps({"process": "fetch", "payload": {"n": n, "pause": 3},
                                                         "reference": f"F-{n}"})},
                               files={"file": ("inv.pdf", f"invoice {n}".encode())})
        assert answer.status_code == 201, answer.text
        runs.append(fleet.start("fetch", []))
        wait_until(lambda: runner.bot_processes("fetch_file"), 60, f"run {n} to start")
    for run_id in runs:
        assert fleet.wait_run(run_id)["state"] == "completed"
    items = _items(sessions)[-2:]
    assert [(i.payload["fetched"], i.payload["scratch"]) for i in items] == [("invoice 1", "1"), ("invoice 2", "2")]
    folders = {Path(i.payload["fetched_to"]).parent for i in items} | {Path(i.payload["scratch_at"]).parent
                                                                      for i in items}
    assert len(folders) == 2 and all(runner.state_dir in f.parents for f in folders)  # one folder per run
    assert not any(f.exists() for f in folders)  # removed once the run's artifacts were uploaded
    assert not list((TEST_BOTS / SAMPLES).glob("*.pdf")) and not (TEST_BOTS / SAMPLES / "scratch.txt").exists()


def test_no_console_line_is_lost(fleet, sessions):
    declare(sessions, "talk", bot=SAMPLES, task="talk")
    fleet.runner()
    for lines, width in ((3000, 6000), (100_000, 20)):
        run = fleet.wait_run(fleet.start("talk", [{"payload": {"lines": lines, "width": width}}]), timeout=300)
        assert run["state"] == "completed", fleet.logs(run)
        step_id = run["steps"][0]["id"]
        console = []
        after = -1
        while True:
            page = requests.get(f"{fleet.url}/api/v1/step-runs/{step_id}/logs", params={"after_seq": after},
                                headers=fleet.headers, timeout=30).json()["lines"]
            if not page:
                break
            console += [line["line"] for line in page]
            after = page[-1]["seq"]
        numbered = [line for line in console if line.startswith("line ")]
        assert [int(line[5:11]) for line in numbered] == list(range(lines))  # all of them, in order
        assert all(len(line) == width for line in numbered)  # 6,000 characters fit in a line: none cut
        assert run["steps"][0]["log_lines_lost"] == 0
    long = fleet.wait_run(fleet.start("talk", [{"payload": {"lines": 1, "width": 20_000}}]))
    [line] = [line for line in fleet.step_logs(long["steps"][0]["id"]) if line.startswith("line ")]
    assert len(line) < 8100 and line.endswith(" […cut: 12000 more characters]")  # a cut line says so


def test_lines_the_control_room_refuses_are_counted_marked_and_shown_on_the_run(settings, tmp_path):
    """A control room with a small body limit (2 KB payloads) refuses any batch or line over 4 KB: batches of
    3,000-character lines are split until they fit; lines of 6,000 characters cannot."""
    app = _app(dataclasses.replace(settings, max_payload_bytes=2048))
    sessions = app.extensions["arfleet"].sessions
    fleet = LiveFleet(app, sessions, tmp_path, bots_dir=TEST_BOTS, runner_defaults={"heartbeat_seconds": 0.5})
    try:
        declare(sessions, "talk", bot=SAMPLES, task="talk")
        fleet.runner()
        run = fleet.wait_run(fleet.start("talk", [{"payload": {"lines": 30, "width": 6000}}]), timeout=120)
        assert run["state"] == "completed"
        step = run["steps"][0]
        console = fleet.step_logs(step["id"])
        numbered = [line for line in console if line.startswith("line ")]
        marks = [line for line in console if "log line(s) lost" in line]
        lost = step["log_lines_lost"]
        assert lost > 0 and len(numbered) + lost == 30  # every line arrived or is counted
        assert marks and all("413" in mark for mark in marks)  # and the console says where and why
        viewer = Browser(app)
        assert viewer.login(make_user(sessions, "viewer")).status_code == 302
        page = viewer.get(f"/runs/{run['id']}").get_data(as_text=True)
        assert f"{lost} log line(s) of this step could not be delivered by its runner" in page
    finally:
        fleet.stop()
        app.extensions["arfleet"].engine.dispose()


def _app(settings):
    from control_room import create_app
    from control_room.storage.engine import make_engine
    from control_room.storage.migrate import upgrade

    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    engine.dispose()
    return create_app(settings)


def test_text_the_databases_cannot_store_is_kept_visibly_and_the_run_ends(fleet, sessions):
    declare(sessions, "odd", bot=SAMPLES, task="print_odd_text")
    fleet.runner()
    run = fleet.wait_run(fleet.start("odd", [{"payload": {}}]), timeout=120)
    assert run["state"] == "completed"
    console = fleet.step_logs(run["steps"][0]["id"])
    assert "before␀after" in console and "still talking" in console
    assert run["steps"][0]["log_lines_lost"] == 0


def test_a_lone_surrogate_in_a_log_line_is_stored_as_its_escape(app, sessions):
    declare(sessions, "odd", bot=SAMPLES, task="print_odd_text")
    client = app.test_client()
    runner = register_runner(client, sessions)
    assignment = start_and_assign(client, sessions, "odd", [{"payload": {}}], runner)
    body = json.dumps({"lines": [{"seq": 0, "line": "x\ud800y"}]})  # JSON's \\ud800 escape, as a client sends it
    answer = client.post(f"/api/v1/step-runs/{assignment['step_run_id']}/logs", data=body,
                         content_type="application/json", headers=auth(runner))
    assert answer.status_code == 200, answer.get_json()
    lines = client.get(f"/api/v1/step-runs/{assignment['step_run_id']}/logs",
                       headers=auth(user_token(sessions, "ops"))).get_json()["lines"]
    assert [line["line"] for line in lines] == ["x\\ud800y"]

