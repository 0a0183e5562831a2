"""reserve-next-work-item and release-work-item, the two calls a bot makes for every item, are answered
by the lean front before Flask: same answers, same errors, same headers, nothing changed on refusal."""
import json

import pytest
from sqlalchemy import func, select

from control_room.audit.models import AuditEvent
from control_room.queue.models import ItemState, WorkItem
from tests.support.seeds import declare, register_runner, start_and_assign


@pytest.fixture
def run(app, sessions):
    """A claimed run of `invoices` holding the first of three items; its route prefix and token."""
    declare(sessions, "invoices")
    client = app.test_client()
    runner = register_runner(client, sessions)
    claim = start_and_assign(client, sessions, "invoices", [{"payload": {"n": n}} for n in range(3)], runner)
    env = claim["env"]
    prefix = (f"/process-v1/workspaces/arfleet/processes/{env['RC_PROCESS_ID']}/runs/{env['RC_PROCESS_RUN_ID']}"
              f"/robotRuns/{env['RC_ACTIVITY_RUN_ID']}")
    return client, prefix, {"Authorization": f"Bearer {env['RC_API_PROCESS_TOKEN']}"}, int(env["RC_WORKITEM_ID"])


def _state(sessions, item_id: int) -> ItemState:
    with sessions() as session:
        return session.get(WorkItem, item_id).state


def _events(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent))


def test_reserve_and_release_answer_as_robocorp_expects(run, sessions):
    client, prefix, token, held = run
    done = client.post(f"{prefix}/release-work-item", json={"workItemId": str(held), "state": "COMPLETED"},
                       headers=token)
    assert done.status_code == 200
    assert done.get_json() == {"workItemId": str(held), "state": "COMPLETED"}
    assert done.headers["X-Content-Type-Options"] == "nosniff"
    assert done.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert _state(sessions, held) is ItemState.DONE

    nxt = client.post(f"{prefix}/reserve-next-work-item", headers=token)  # robocorp sends no body
    assert nxt.status_code == 200
    second = int(nxt.get_json()["workItemId"])
    assert second != held and _state(sessions, second) is ItemState.RESERVED

    failed = client.post(f"{prefix}/release-work-item", headers=token, json={
        "workItemId": second, "state": "FAILED",
        "exception": {"type": "BUSINESS", "code": "NO_PO", "message": "purchase order missing"}})
    assert failed.status_code == 200
    with sessions() as session:
        item = session.get(WorkItem, second)
        assert (item.state, item.exception_code, item.exception_message) == \
            (ItemState.EXCEPTION, "NO_PO", "purchase order missing")


def test_an_empty_queue_answers_no_item(run):
    client, prefix, token, held = run
    client.post(f"{prefix}/release-work-item", json={"workItemId": held, "state": "COMPLETED"}, headers=token)
    taken = [client.post(f"{prefix}/reserve-next-work-item", headers=token).get_json()["workItemId"] for _ in range(3)]
    assert taken[2] is None and None not in taken[:2]


@pytest.mark.parametrize("body, status, code", [
    (b'{"workItemId": 1, "state": ', 400, "bad_json"),
    (b'["COMPLETED"]', 400, "bad_json"),
    (b'{"state": "COMPLETED"}', 400, "bad_request"),
    (b'{"workItemId": "HELD", "state": "DONE"}', 400, "bad_request"),
    (b'{"workItemId": "HELD", "state": "FAILED", "exception": {"type": "OOPS"}}', 400, "bad_request"),
    (b'{"workItemId": 999999, "state": "COMPLETED"}', 404, "not_found"),
    (b'{"workItemId": "99999999999999999999999", "state": "COMPLETED"}', 404, "not_found"),
])
def test_a_bad_release_is_refused_with_its_reason_and_changes_nothing(run, sessions, body, status, code):
    client, prefix, token, held = run
    before = _events(sessions)
    answer = client.post(f"{prefix}/release-work-item", data=body.replace(b"HELD", str(held).encode()),
                         headers={**token, "Content-Type": "application/json"})
    assert answer.status_code == status
    assert answer.get_json()["error"]["code"] == code
    assert answer.get_json()["error"]["message"]
    assert _state(sessions, held) is ItemState.RESERVED
    assert _events(sessions) == before


def test_releasing_an_item_the_run_does_not_hold_is_a_conflict(run, sessions):
    client, prefix, token, held = run
    client.post(f"{prefix}/release-work-item", json={"workItemId": held, "state": "COMPLETED"}, headers=token)
    again = client.post(f"{prefix}/release-work-item", json={"workItemId": held, "state": "FAILED"}, headers=token)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"
    assert _state(sessions, held) is ItemState.DONE


def test_tokens_routes_methods_and_sizes_are_checked_before_anything_is_read(run, app, sessions):
    client, prefix, token, held = run
    no_token = client.post(f"{prefix}/reserve-next-work-item")
    assert no_token.status_code == 401 and no_token.get_json()["error"]["code"] == "unauthorized"
    wrong = client.post(f"{prefix}/reserve-next-work-item", headers={"Authorization": "Bearer rt_forged"})
    assert wrong.status_code == 401
    other_ws = client.post(prefix.replace("/workspaces/arfleet/", "/workspaces/other/") + "/reserve-next-work-item",
                           headers=token)
    assert other_ws.status_code == 404
    other_run = prefix.rsplit("/", 1)[0] + f"/{int(prefix.rsplit('/', 1)[1]) + 1}"
    assert client.post(f"{other_run}/reserve-next-work-item", headers=token).status_code == 403
    get = client.get(f"{prefix}/reserve-next-work-item", headers=token)
    assert get.status_code == 405 and get.get_json()["error"]["code"] == "method_not_allowed"
    limit = app.extensions["arfleet"].settings.max_payload_bytes
    huge = json.dumps({"workItemId": held, "state": "COMPLETED", "pad": "x" * (2 * limit)})
    too_big = client.post(f"{prefix}/release-work-item", data=huge,
                          headers={**token, "Content-Type": "application/json"})
    assert too_big.status_code == 413 and too_big.get_json()["error"]["code"] == "too_large"
    assert _state(sessions, held) is ItemState.RESERVED


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_on_postgresql_one_statement_changes_exactly_what_the_general_path_changes(run, app, sessions):
    """Reserve and complete in one statement each (PostgreSQL) leave the same rows and the same audit
    events as the general path (transitions + audit.record), which SQLite and every refusal take."""
    from control_room.api import robot_queue
    from control_room.fleet.runs import run_for_token

    assert app.wsgi_app._one_statement is not None  # the front took the one-statement path
    client, prefix, token, held = run
    assert client.post(f"{prefix}/release-work-item", json={"workItemId": held, "state": "COMPLETED"},
                       headers=token).status_code == 200
    fast = int(client.post(f"{prefix}/reserve-next-work-item", headers=token).get_json()["workItemId"])
    assert client.post(f"{prefix}/release-work-item", json={"workItemId": fast, "state": "COMPLETED"},
                       headers=token).status_code == 200
    with sessions() as session:  # the third item by the general path
        context = run_for_token(session, token["Authorization"].removeprefix("Bearer "))
        general = int(robot_queue.reserve(session, context)["workItemId"])
        robot_queue.release(session, context, json.dumps({"workItemId": general, "state": "COMPLETED"}).encode())
        session.commit()

    def trace(item_id: int) -> tuple:
        with sessions() as session:
            item = session.get(WorkItem, item_id)
            events = session.scalars(select(AuditEvent).where(AuditEvent.object_type == "work_item",
                                                              AuditEvent.object_id == str(item_id))
                                     .order_by(AuditEvent.id)).all()
            return ((item.state, item.attempts, item.step_run_id, item.lease_expires_at),
                    [(e.actor_type, e.actor_id, e.action, e.details) for e in events if e.action != "item.created"])

    assert trace(fast) == trace(general)
    assert trace(fast)[1] == [
        ("run", str(context.step_run_id), "item.reserved", {"step_run_id": context.step_run_id,
                                                            "lease_seconds": context.lease_seconds}),
        ("run", str(context.step_run_id), "item.done", {"step_run_id": context.step_run_id})]


def test_eight_bots_reserving_and_completing_at_once_take_each_item_once(app, sessions, live_server):
    """Eight bots of one run on one queue, each on its own keep-alive connection: every item is served to
    exactly one of them, none is lost, and each reservation and completion is audited once."""
    import threading

    import requests

    declare(sessions, "invoices")
    client = app.test_client()
    runner = register_runner(client, sessions)
    claim = start_and_assign(client, sessions, "invoices", [{"payload": {"n": n}} for n in range(120)], runner)
    env = claim["env"]
    server = live_server(app)
    calls = (f"{server.url}/process-v1/workspaces/arfleet/processes/{env['RC_PROCESS_ID']}/runs/"
             f"{env['RC_PROCESS_RUN_ID']}/robotRuns/{env['RC_ACTIVITY_RUN_ID']}")
    token = {"Authorization": f"Bearer {env['RC_API_PROCESS_TOKEN']}"}
    served: list[int] = [int(env["RC_WORKITEM_ID"])]
    problems: list[str] = []

    def bot() -> None:
        with requests.Session() as http:
            while True:
                got = http.post(f"{calls}/reserve-next-work-item", headers=token, timeout=30)
                if got.status_code != 200:
                    problems.append(f"reserve {got.status_code} {got.text}")
                    return
                if (item := got.json()["workItemId"]) is None:
                    return
                done = http.post(f"{calls}/release-work-item", json={"workItemId": item, "state": "COMPLETED"},
                                 headers=token, timeout=30)
                if done.status_code != 200:
                    problems.append(f"release {done.status_code} {done.text}")
                served.append(int(item))

    bots = [threading.Thread(target=bot) for _ in range(8)]
    for b in bots:
        b.start()
    for b in bots:
        b.join(timeout=120)
    assert problems == []
    with sessions() as session:
        items = session.scalars(select(WorkItem)).all()
        assert sorted(served[1:]) == sorted(i.id for i in items if i.id != served[0])  # each once, none lost
        assert {i.state for i in items if i.id != served[0]} == {ItemState.DONE}
        assert {i.attempts for i in items} == {1}
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "work_item")).all()
    assert actions.count("item.reserved") == 120 and actions.count("item.done") == 119
