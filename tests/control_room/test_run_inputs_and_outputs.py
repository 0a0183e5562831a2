"""What a run starts from and what it leaves behind: an empty input for a first step that reads nothing
of its own, outputs whose unique reference comes from their payload, and no half-written outputs when
a run dies holding its input."""
from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from control_room.audit.models import AuditEvent
from control_room.fleet.models import RunState, StepRun
from control_room.fleet.processes import ProcessSpec, StepSpec, apply_spec
from control_room.queue.models import ItemState, Queue, WorkItem
from tests.support.seeds import (
    ADMIN,
    auth,
    register_runner,
    start_and_assign,
    user_token,
)

PREFIX = "/process-v1/workspaces/arfleet/processes"


def declare_chain(sessions, starts_empty: bool = False) -> None:
    spec = ProcessSpec("distribution", (StepSpec("collect", "b", "collect", starts_empty=starts_empty),
                                        StepSpec("deliver", "b", "deliver")))
    with sessions.begin() as session:
        apply_spec(session, spec, ADMIN)


def robot(claim: dict) -> tuple[str, dict[str, str]]:
    env = claim["env"]
    return (f"{PREFIX}/{env['RC_PROCESS_ID']}/runs/{env['RC_PROCESS_RUN_ID']}/robotRuns/{env['RC_ACTIVITY_RUN_ID']}",
            {"Authorization": f"Bearer {env['RC_API_PROCESS_TOKEN']}"})


def create_output(client, claim: dict, payload: dict):
    env = claim["env"]
    return client.post(f"{PREFIX}/{env['RC_PROCESS_ID']}/work-items/{env['RC_WORKITEM_ID']}/output",
                       json={"payload": payload}, headers=robot(claim)[1])


def release(client, claim: dict, state: str = "COMPLETED"):
    prefix, headers = robot(claim)
    return client.post(f"{prefix}/release-work-item", json={"workItemId": claim["env"]["RC_WORKITEM_ID"],
                                                           "state": state}, headers=headers)


def deliver_items(sessions) -> list[WorkItem]:
    with sessions() as session:
        return session.scalars(select(WorkItem).join(Queue, WorkItem.queue_id == Queue.id)
                               .where(Queue.name == "distribution.deliver").order_by(WorkItem.id)).all()


def test_an_output_whose_reference_is_taken_is_refused_with_the_existing_item(app, sessions):
    declare_chain(sessions)
    client = app.test_client()
    claim = start_and_assign(client, sessions, "distribution", [{"payload": {}}], register_runner(client, sessions))

    first = create_output(client, claim, {"invoice": "F-1", "work_item_reference": "F-1:email"})
    assert first.status_code == 200, first.get_json()
    again = create_output(client, claim, {"invoice": "F-1", "work_item_reference": "F-1:email"})
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "duplicate_reference"
    assert again.get_json()["error"]["existing_item_id"] == int(first.get_json()["id"])
    assert create_output(client, claim, {"work_item_reference": 42}).status_code == 400
    assert create_output(client, claim, {"work_item_reference": "  "}).status_code == 400
    assert create_output(client, claim, {"invoice": "F-2"}).status_code == 200  # no reference: no constraint
    assert release(client, claim).status_code == 200

    items = deliver_items(sessions)
    assert [(i.reference, i.state, i.payload.get("invoice")) for i in items] == [
        ("F-1:email", ItemState.NEW, "F-1"), (None, ItemState.NEW, "F-2")]

    # a later run collecting the same invoice (overlapping windows) is told the queue already has it
    later = start_and_assign(client, sessions, "distribution", [{"payload": {}}],
                             register_runner(client, sessions, "vm-2"))
    refused = create_output(client, later, {"invoice": "F-1", "work_item_reference": "F-1:email"})
    assert refused.status_code == 409 and refused.get_json()["error"]["existing_item_id"] == items[0].id
    assert len(deliver_items(sessions)) == 2


def test_a_run_dying_with_its_input_leaves_no_half_written_output(app, sessions, settings, clock):
    declare_chain(sessions)
    client = app.test_client()
    runner = register_runner(client, sessions)
    claim = start_and_assign(client, sessions, "distribution", [{"payload": {"since": "2026-11-01"}}], runner)
    output_id = int(create_output(client, claim, {"invoice": "F-1", "work_item_reference": "F-1:portal_a"})
                    .get_json()["id"])
    slot = client.post(f"/json-v1/workspaces/arfleet/workitems/{output_id}/files",
                       json={"fileName": "F-1.pdf", "fileSize": 9}, headers=robot(claim)[1]).get_json()
    uploaded = client.post(slot["url"], data={**slot["fields"], "file": (io.BytesIO(b"%PDF-1.4\n"), "F-1.pdf")})
    assert uploaded.status_code == 204
    assert (settings.files_dir / "items" / str(output_id)).is_dir()

    # the bot is killed before releasing its input: the runner reports the end
    finished = client.post(f"/api/v1/step-runs/{claim['step_run_id']}/finish", json={"exit_code": -9},
                           headers=auth(runner))
    assert finished.status_code == 200

    with sessions() as session:
        assert session.get(WorkItem, output_id) is None
        assert session.get(WorkItem, int(claim["env"]["RC_WORKITEM_ID"])).state == ItemState.NEW  # to retry
        discarded = session.scalars(select(AuditEvent).where(AuditEvent.action == "item.discarded")).all()
        assert [(e.object_id, e.details["reference"]) for e in discarded] == [(str(output_id), "F-1:portal_a")]
    assert not (settings.files_dir / "items" / str(output_id)).exists()
    assert deliver_items(sessions) == []

    # once its back-off has passed, the retry writes the output again, under the same reference
    clock.advance(timedelta(hours=2))
    retry = start_and_assign(client, sessions, "distribution", [], runner)
    again = create_output(client, retry, {"invoice": "F-1", "work_item_reference": "F-1:portal_a"})
    assert again.status_code == 200, again.get_json()


def test_a_first_step_that_starts_empty_gets_one_empty_input(app, sessions):
    declare_chain(sessions, starts_empty=True)
    client = app.test_client()
    runner = register_runner(client, sessions)
    claim = start_and_assign(client, sessions, "distribution", [], runner)
    data = client.get(f"/json-v1/workspaces/arfleet/workitems/{claim['env']['RC_WORKITEM_ID']}/data",
                      headers=robot(claim)[1])
    assert data.status_code == 200 and data.get_json() == {}
    assert release(client, claim).status_code == 200
    # nothing else is left waiting in its queue
    with sessions() as session:
        waiting = session.scalars(select(WorkItem).join(Queue, WorkItem.queue_id == Queue.id)
                                  .where(Queue.name == "distribution.collect")).all()
        assert [(i.state, i.payload) for i in waiting] == [(ItemState.DONE, {})]

    # a ready item in the queue is taken as it is: no extra empty one
    given = start_and_assign(client, sessions, "distribution", [{"payload": {"since": "2026-11-01"}}], runner)
    assert client.get(f"/json-v1/workspaces/arfleet/workitems/{given['env']['RC_WORKITEM_ID']}/data",
                      headers=robot(given)[1]).get_json() == {"since": "2026-11-01"}


def test_a_step_that_does_not_start_empty_ends_with_nothing_to_do(app, sessions):
    declare_chain(sessions, starts_empty=False)
    client = app.test_client()
    runner = register_runner(client, sessions)
    ops = user_token(sessions, "ops")
    started = client.post("/api/v1/processes/distribution/runs", json={}, headers=auth(ops))
    assert started.status_code == 201
    assert client.post("/api/v1/runners/assignments", json={"wait_seconds": 0}, headers=auth(runner)).status_code == 204
    with sessions() as session:
        [step_run] = session.scalars(select(StepRun)).all()
        assert step_run.state == RunState.COMPLETED
        assert session.scalars(select(WorkItem)).all() == []
