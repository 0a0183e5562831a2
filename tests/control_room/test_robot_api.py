"""An unmodified robocorp bot runs against a live control room; every effect is checked in the database."""
import hashlib
import io

import requests
from sqlalchemy import select

from control_room.audit.models import AuditEvent
from control_room.fleet.models import RunState, StepRun
from control_room.fleet.processes import get_process
from control_room.queue.models import ItemState, Queue, WorkItem
from tests.support.robot_bots import BOT, assignment_env, run_bot
from tests.support.seeds import ADMIN, auth, declare, register_runner, start_and_assign, user_token

PDF = b"%PDF-1.4 fake invoice F-1\n%%EOF"


def _store_secret(app, sessions, processes):
    with sessions.begin() as session:
        app.extensions["arfleet"].vault.set(session, "portal_a", {"login": "acme-ar", "password": "s3cr3t-P@ss"},
                                            ADMIN, processes=processes)


def test_unmodified_robocorp_bot_runs_against_the_control_room(app, sessions, live_server, tmp_path):
    declare(sessions, "invoices", steps=("collect", "deliver"), max_retries=2)
    _store_secret(app, sessions, ["invoices"])
    server = live_server(app)
    client = app.test_client()
    runner = register_runner(client, sessions)
    ops = user_token(sessions, "ops")
    good = client.post("/api/v1/items", headers=auth(ops), data={
        "item": '{"process": "invoices", "reference": "F-1", "payload": {"invoice": "F-1"}}',
        "file": (io.BytesIO(PDF), "invoice.pdf")}, content_type="multipart/form-data")
    assert good.status_code == 201, good.get_json()
    claim = start_and_assign(client, sessions, "invoices", [
        {"payload": {"invoice": "F-2", "fail": "business"}, "reference": "F-2"},
        {"payload": {"invoice": "F-3", "fail": "application"}, "reference": "F-3"},
    ], runner)
    result = run_bot(BOT, "handle_invoices", assignment_env(claim, server.url), tmp_path / "out")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (tmp_path / "out" / "log.html").exists()
    assert client.post(f"/api/v1/step-runs/{claim['step_run_id']}/finish", json={"exit_code": 0},
                       headers=auth(runner)).status_code == 200

    with sessions() as session:
        items = {i.reference: i for i in session.scalars(select(WorkItem).where(WorkItem.reference.is_not(None)))}
        assert items["F-1"].state is ItemState.DONE
        assert items["F-1"].payload == {"invoice": "F-1", "seen": True}
        assert (items["F-2"].state, items["F-2"].exception_type.value, items["F-2"].exception_code,
                items["F-2"].exception_message) == (ItemState.EXCEPTION, "business", "PO_MISSING",
                                                    "The invoice has no PO number")
        assert items["F-3"].state is ItemState.NEW  # application failure: retried later
        assert items["F-3"].exception_code == "PORTAL_DOWN" and items["F-3"].defer_until is not None

        deliver = session.scalar(select(Queue).where(Queue.name == "invoices.deliver"))
        outputs = session.scalars(select(WorkItem).where(WorkItem.queue_id == deliver.id)).all()
        assert len(outputs) == 1
        out = outputs[0]
        assert out.state is ItemState.NEW and out.parent_id == items["F-1"].id
        assert out.payload == {"invoice": "F-1", "login": "acme-ar",
                               "pw_sha256": hashlib.sha256(b"s3cr3t-P@ss").hexdigest()}
        assert [f.name for f in out.files] == [f"stamped-{items['F-1'].id}.pdf"]
        stored = app.extensions["arfleet"].files.path("items", out.id, out.files[0].id).read_bytes()
        assert stored == PDF + b"%stamped"

        read = session.scalars(select(AuditEvent).where(AuditEvent.action == "secret.read")).all()
        assert [(e.object_id, e.actor_id, e.details["run_id"]) for e in read] == [
            ("portal_a", str(claim["step_run_id"]), claim["step_run_id"])]
        assert not any("s3cr3t" in str(e.details) for e in session.scalars(select(AuditEvent)))

        step_run = session.get(StepRun, claim["step_run_id"])
        assert step_run.state is RunState.COMPLETED
        # the finished step's outputs started the next step
        assert [s.step.name for s in step_run.process_run.steps] == ["collect", "deliver"]

    # the run's token died with the run
    dead = requests.post(f"{server.url}/process-v1/workspaces/arfleet/processes/{claim['env']['RC_PROCESS_ID']}"
                         f"/runs/{claim['process_run_id']}/robotRuns/{claim['step_run_id']}/reserve-next-work-item",
                         headers={"Authorization": f"Bearer {claim['env']['RC_API_PROCESS_TOKEN']}"}, timeout=10)
    assert dead.status_code == 401


def test_run_token_is_refused_for_another_process(app, sessions):
    declare(sessions, "invoices")
    declare(sessions, "dunning")
    client = app.test_client()
    runner = register_runner(client, sessions)
    ops = user_token(sessions, "ops")
    other = client.post("/api/v1/items", json={"process": "dunning", "payload": {"customer": "C1"}}, headers=auth(ops))
    other_id = other.get_json()["id"]
    claim = start_and_assign(client, sessions, "invoices", [{"payload": {"invoice": "F-1"}}], runner)
    token = {"Authorization": f"Bearer {claim['env']['RC_API_WORKITEM_TOKEN']}"}

    assert client.get(f"/json-v1/workspaces/arfleet/workitems/{other_id}/data", headers=token).status_code == 403
    assert client.put(f"/json-v1/workspaces/arfleet/workitems/{other_id}/data", json={"x": 1},
                      headers=token).status_code == 403
    with sessions() as session:
        dunning_id = get_process(session, "dunning").id
    denied = client.post(f"/process-v1/workspaces/arfleet/processes/{dunning_id}/runs/{claim['process_run_id']}"
                         f"/robotRuns/{claim['step_run_id']}/reserve-next-work-item", headers=token)
    assert denied.status_code == 403
    assert denied.get_json()["error"]["code"] == "forbidden"
    # its own input is readable
    mine = client.get(f"/json-v1/workspaces/arfleet/workitems/{claim['env']['RC_WORKITEM_ID']}/data", headers=token)
    assert mine.status_code == 200 and mine.get_json() == {"invoice": "F-1"}
    with sessions() as session:
        assert session.get(WorkItem, other_id).payload == {"customer": "C1"}
