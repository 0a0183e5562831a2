"""The native API: creating items, duplicates, bad input, roles, batch operations, runs."""
import io

from sqlalchemy import func, select

from control_room.audit.models import AuditEvent
from control_room.queue.models import ItemState, WorkItem
from tests.support.seeds import auth, declare, user_token


def _count_items(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(WorkItem))


def test_create_single_batch_and_duplicate(app, sessions):
    declare(sessions, "invoices")
    client, ops = app.test_client(), user_token(sessions, "ops")
    one = client.post("/api/v1/items", json={"process": "invoices", "reference": "F-1", "payload": {"n": 1}},
                      headers=auth(ops))
    assert one.status_code == 201 and one.get_json()["state"] == "new"
    dup = client.post("/api/v1/items", json={"process": "invoices", "reference": "F-1"}, headers=auth(ops))
    assert dup.status_code == 409
    assert dup.get_json()["error"]["existing_item_id"] == one.get_json()["id"]
    # a batch with a duplicate inside is refused whole
    batch = client.post("/api/v1/items", json={"process": "invoices", "items": [
        {"reference": "F-2"}, {"reference": "F-1"}]}, headers=auth(ops))
    assert batch.status_code == 409 and _count_items(sessions) == 1
    batch = client.post("/api/v1/items", json={"process": "invoices", "items": [
        {"reference": "F-2", "priority": 5}, {"reference": "F-3"}]}, headers=auth(ops))
    assert batch.status_code == 201 and [i["reference"] for i in batch.get_json()["items"]] == ["F-2", "F-3"]
    listed = client.get("/api/v1/items?process=invoices&state=new", headers=auth(ops)).get_json()["items"]
    assert [i["reference"] for i in listed] == ["F-3", "F-2", "F-1"]
    assert client.get("/api/v1/items?reference=F-2", headers=auth(ops)).get_json()["items"][0]["priority"] == 5


def test_bad_input_is_refused_clearly_and_leaves_nothing(app, sessions, settings):
    declare(sessions, "invoices")
    client, ops = app.test_client(), user_token(sessions, "ops")
    bad = client.post("/api/v1/items", data='{"process": "invoices", "payload": {', headers=auth(ops),
                      content_type="application/json")
    assert bad.status_code == 400
    assert bad.get_json()["error"]["code"] == "bad_json" and "line 1" in bad.get_json()["error"]["message"]
    wrong = client.post("/api/v1/items", json={"process": "invoices", "payload": [1]}, headers=auth(ops))
    assert wrong.status_code == 400 and "payload" in wrong.get_json()["error"]["message"]
    naive = client.post("/api/v1/items", json={"process": "invoices", "deadline": "2026-12-01T10:00:00"},
                        headers=auth(ops))
    assert naive.status_code == 400 and "timezone" in naive.get_json()["error"]["message"]
    huge = client.post("/api/v1/items",
                       json={"process": "invoices", "payload": {"x": "a" * (settings.max_payload_bytes + 10)}},
                       headers=auth(ops))
    assert huge.status_code == 413
    unknown = client.post("/api/v1/items", json={"process": "nope"}, headers=auth(ops))
    assert unknown.status_code == 404
    assert client.get("/api/v1/items/999999", headers=auth(ops)).status_code == 404
    assert client.get("/api/v1/runs/999999", headers=auth(ops)).status_code == 404
    assert _count_items(sessions) == 0


def test_file_over_the_limit_is_413_and_nothing_is_kept(tmp_path, database_url):
    from control_room import create_app
    from control_room.config import Settings
    from control_room.storage.engine import make_engine
    from control_room.storage.migrate import upgrade

    settings = Settings(home=tmp_path / "h", database_url=database_url, max_file_bytes=1000)
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    engine.dispose()
    app = create_app(settings)
    sessions = app.extensions["arfleet"].sessions
    declare(sessions, "invoices")
    client, ops = app.test_client(), user_token(sessions, "ops")
    answer = client.post("/api/v1/items", headers=auth(ops), content_type="multipart/form-data", data={
        "item": '{"process": "invoices", "reference": "F-9"}', "file": (io.BytesIO(b"x" * 5000), "big.pdf")})
    assert answer.status_code == 413
    assert _count_items(sessions) == 0
    assert [p for p in settings.files_dir.rglob("*") if p.is_file()] == []
    app.extensions["arfleet"].engine.dispose()


def test_roles_are_checked_on_every_call(app, sessions):
    declare(sessions, "invoices")
    client = app.test_client()
    viewer, handler = user_token(sessions, "viewer"), user_token(sessions, "handler")
    assert client.get("/api/v1/items").status_code == 401
    assert client.get("/api/v1/items", headers=auth("arf_forged")).status_code == 401
    assert client.get("/api/v1/items", headers=auth(viewer)).status_code == 200
    refused = client.post("/api/v1/items", json={"process": "invoices"}, headers=auth(viewer))
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert client.post("/api/v1/processes/invoices/runs", json={}, headers=auth(handler)).status_code == 403
    assert client.post("/api/v1/registration-tokens", json={}, headers=auth(handler)).status_code == 403
    assert client.post("/api/v1/items/batch", json={"action": "delete", "ids": [1], "reason": "x"},
                       headers=auth(handler)).status_code == 403


def test_batch_operations_all_or_nothing_and_audited(app, sessions):
    declare(sessions, "invoices")
    declare(sessions, "disputes")
    client, ops = app.test_client(), user_token(sessions, "ops", username="olivia")
    ids = [client.post("/api/v1/items", json={"process": "invoices", "reference": f"F-{n}"},
                       headers=auth(ops)).get_json()["id"] for n in range(3)]
    refused = client.post("/api/v1/items/batch", json={"action": "done", "ids": ids + [424242], "reason": "paid"},
                          headers=auth(ops))
    assert refused.status_code == 409 and refused.get_json()["error"]["failures"][0]["id"] == 424242
    with sessions() as session:
        assert {i.state for i in session.scalars(select(WorkItem))} == {ItemState.NEW}
    no_reason = client.post("/api/v1/items/batch", json={"action": "done", "ids": ids, "reason": " "},
                            headers=auth(ops))
    assert no_reason.status_code == 400
    moved = client.post("/api/v1/items/batch", json={"action": "move", "ids": ids[:1], "reason": "wrong process",
                                                      "queue": "disputes.collect"}, headers=auth(ops))
    assert moved.status_code == 200
    done = client.post("/api/v1/items/batch", json={"action": "done", "ids": ids[1:2], "reason": "paid by cheque"},
                       headers=auth(ops))
    assert done.status_code == 200
    deleted = client.post("/api/v1/items/batch", json={"action": "delete", "ids": ids[2:], "reason": "test item"},
                          headers=auth(ops))
    assert deleted.status_code == 200
    with sessions() as session:
        assert session.get(WorkItem, ids[0]).queue.name == "disputes.collect"
        assert session.get(WorkItem, ids[1]).state is ItemState.DONE
        assert session.get(WorkItem, ids[2]) is None
        events = {e.action: e for e in session.scalars(select(AuditEvent).where(AuditEvent.actor_id == "olivia"))}
    assert events["item.moved"].details["reason"] == "wrong process"
    assert events["item.marked_done"].details["reason"] == "paid by cheque"
    assert events["item.deleted"].details["reference"] == "F-2"


def test_openapi_document_lists_the_routes(app):
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/v1/items", "/api/v1/items/batch", "/api/v1/runners/assignments",
            "/api/v1/runs/{run_id}/stop"} <= set(doc["paths"])
    routes = {str(r) for r in app.url_map.iter_rules() if str(r).startswith("/api/v1/")}
    documented = {p.replace("{", "<").replace("}", ">") for p in doc["paths"]}
    undocumented = {r for r in routes if r.replace("<int:", "<") not in documented and "openapi" not in r}
    assert undocumented == set()
