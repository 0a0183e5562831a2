"""Crashes and concurrency: a bot killed mid-item, 8 processes reserving from one queue, secrets written by bots."""
import multiprocessing
import signal
import time

from sqlalchemy import select

from control_room.audit.actors import Actor
from control_room.audit.models import AuditEvent
from control_room.fleet.processes import get_process
from control_room.queue import leases, transitions
from control_room.queue.models import ItemState, WorkItem
from control_room.queue.reservation import reserve_next
from control_room.queue.transitions import NewItem
from control_room.storage.engine import make_engine, make_session_factory
from tests.support.robot_bots import BOT, assignment_env, run_bot, start_bot
from tests.support.seeds import ADMIN, auth, bare_step_run, declare, register_runner, start_and_assign

ITEMS = 400
WORKERS = 8


def test_bot_killed_mid_item_gets_its_item_back_after_the_lease(app, sessions, live_server, tmp_path):
    declare(sessions, "invoices", lease_seconds=2, max_retries=3, retry_base_seconds=0)
    server, client = live_server(app), app.test_client()
    runner = register_runner(client, sessions)
    ready = tmp_path / "ready"
    claim = start_and_assign(client, sessions, "invoices",
                             [{"payload": {"ready_file": str(ready)}, "reference": "F-1"}], runner)
    bot = start_bot(BOT, "hang_on_first_item", assignment_env(claim, server.url), tmp_path / "out")
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert bot.poll() is None and time.monotonic() < deadline, "the bot never took its item"
            time.sleep(0.1)
    finally:
        bot.send_signal(signal.SIGKILL)
        bot.wait()
    item_id = int(ready.read_text())
    with sessions() as session:
        assert session.get(WorkItem, item_id).state is ItemState.RESERVED

    sweeper = leases.Sweeper(sessions, interval=0.2)
    sweeper.start()
    try:
        deadline = time.monotonic() + 30
        while True:
            with sessions() as session:
                item = session.get(WorkItem, item_id)
            if item.state is ItemState.NEW or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        sweeper.stop()
    assert item.state is ItemState.NEW and item.exception_code == "LEASE_EXPIRED" and item.attempts == 1

    # the runner reports the dead bot; a new run takes the item again and completes it
    assert client.post(f"/api/v1/step-runs/{claim['step_run_id']}/finish", json={"exit_code": -9},
                       headers=auth(runner)).status_code == 200
    second = start_and_assign(client, sessions, "invoices", [], runner)
    assert second["env"]["RC_WORKITEM_ID"] == str(item_id)
    result = run_bot(BOT, "complete_all", assignment_env(second, server.url), tmp_path / "out2")
    assert result.returncode == 0, result.stdout[-2000:]
    with sessions() as session:
        item = session.get(WorkItem, item_id)
    assert item.state is ItemState.DONE and item.attempts == 2


def _secret_task(app, sessions, live_server, out, task: str, readers: list[str]):
    """Run `task` of the unmodified bot in a run of `invoices`, the secret portal_a readable by `readers`."""
    declare(sessions, "invoices")
    with sessions.begin() as session:
        app.extensions["arfleet"].vault.set(session, "portal_a", {"login": "acme", "password": "old-password"},
                                            ADMIN, processes=readers)
    server, client = live_server(app), app.test_client()
    claim = start_and_assign(client, sessions, "invoices", [{"payload": {}}], register_runner(client, sessions))
    return claim, run_bot(BOT, task, assignment_env(claim, server.url), out)


def test_bot_rotates_a_secret_through_the_transit_envelope(app, sessions, live_server, tmp_path):
    _, result = _secret_task(app, sessions, live_server, tmp_path / "out", "rotate_portal_password", ["invoices"])
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    with sessions.begin() as session:
        assert dict(app.extensions["arfleet"].vault.read(session, "portal_a", "invoices", ADMIN)) == {
            "login": "acme", "password": "renewed-by-bot"}


def test_a_bot_writing_a_secret_out_of_its_scope_is_refused_and_audited(app, sessions, live_server, tmp_path):
    claim, result = _secret_task(app, sessions, live_server, tmp_path / "out", "overwrite_portal_secret", ["dunning"])
    assert result.returncode != 0 and "may not write secret 'portal_a'" in result.stdout + result.stderr
    with sessions.begin() as session:
        refused = session.scalars(select(AuditEvent).where(AuditEvent.action == "secret.write_refused")).all()
        assert [(e.object_id, e.details["process"], e.details["run_id"]) for e in refused] == [
            ("portal_a", "invoices", claim["step_run_id"])]
        assert dict(app.extensions["arfleet"].vault.read(session, "portal_a", "dunning", ADMIN)) == {
            "login": "acme", "password": "old-password"}


def _reserver(url: str, queue_id: int, step_run_id: int, out: "multiprocessing.Queue") -> None:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    served = []
    while True:
        with sessions.begin() as session:
            item_id = reserve_next(session, queue_id, step_run_id, 600, Actor.run(step_run_id))
            if item_id is None:
                break
            transitions.complete(session, item_id, step_run_id, Actor.run(step_run_id))
        served.append(item_id)
    engine.dispose()
    out.put(served)


def test_eight_processes_reserving_concurrently_serve_each_item_once(sessions, settings):
    declare(sessions, "invoices")
    with sessions.begin() as session:
        process = get_process(session, "invoices")
        queue = process.input_queue
        for n in range(ITEMS):
            transitions.create(session, queue, NewItem(payload={"n": n}, reference=f"F-{n}"), ADMIN,
                               process_id=process.id)
    queue_id, step_run_id = bare_step_run(sessions, "invoices")
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    workers = [ctx.Process(target=_reserver, args=(settings.resolved_database_url, queue_id, step_run_id, results))
               for _ in range(WORKERS)]
    for w in workers:
        w.start()
    served = [results.get(timeout=240) for _ in workers]
    for w in workers:
        w.join(timeout=30)
    everything = [i for batch in served for i in batch]
    assert len(everything) == len(set(everything)) == ITEMS  # none twice, none lost
    assert sum(1 for batch in served if batch) >= 2  # they really ran side by side
    with sessions() as session:
        states = session.scalars(select(WorkItem.state)).all()
    assert set(states) == {ItemState.DONE}
