"""The inbox's rules hold whichever door a person uses — the inbox page, the queues page's bulk actions or
the native API's batch: an item another handler claims is refused (the API answers 409 naming the holder,
all or nothing), and every resolution — retried, done, rejected or moved — is kept as a labelled example."""
from __future__ import annotations

from sqlalchemy import select

from control_room.access.models import User
from control_room.access.users import create_api_token
from control_room.fleet.processes import get_process
from control_room.inbox.models import ItemClaim, LabelledExample
from control_room.queue.models import ItemState, Queue, WorkItem
from tests.support import ui_seed
from tests.support.seeds import ADMIN, auth, declare, user_token


def _escalate(app, reference: str) -> int:
    with app.extensions["arfleet"].sessions.begin() as session:
        item_id, *_ = ui_seed.escalate(session, get_process(session, "invoices"), {"invoice": reference}, reference,
                                        priority=5)  # before the waiting F-2
        return item_id


def _token_of(sessions, username: str) -> str:
    with sessions.begin() as session:
        user = session.scalar(select(User).where(User.username == username))
        return create_api_token(session, user, "tests", ADMIN)


def _examples(sessions, item_id: int) -> list[LabelledExample]:
    with sessions() as session:
        return list(session.scalars(select(LabelledExample).where(LabelledExample.item_id == item_id)))


def _state(sessions, item_id: int) -> ItemState:
    with sessions() as session:
        return session.get(WorkItem, item_id).state


def test_a_claimed_item_is_refused_to_other_handlers_at_every_door(app, sessions, browser_for):
    fleet = ui_seed.build(app)
    hana, hugo = browser_for("handler", "hana"), browser_for("handler", "hugo")
    free = _escalate(app, "F-9")
    assert hana.post(f"/inbox/{fleet.item_id}/claim", {"back": "/inbox"}).status_code == 302
    client, hugo_token = app.test_client(), _token_of(sessions, "hugo")

    # the native API: all or nothing, 409 naming the item and who holds it
    answer = client.post("/api/v1/items/batch", json={"action": "done", "ids": [free, fleet.item_id],
                                                      "reason": "paid by cheque"}, headers=auth(hugo_token))
    assert answer.status_code == 409
    failures = answer.get_json()["error"]["failures"]
    assert failures == [
        {"id": fleet.item_id, "claimed_by": "hana", "message": f"item {fleet.item_id} is claimed by hana"}]
    assert _state(sessions, free) == _state(sessions, fleet.item_id) == ItemState.EXCEPTION  # nothing changed

    # the queues page's bulk actions
    hugo.post("/items/batch", {"action": "retry", "ids": [fleet.item_id], "reason": "try again", "back": "/queues"})
    assert _state(sessions, fleet.item_id) == ItemState.EXCEPTION
    assert "claimed by hana" in hugo.get("/queues").get_data(as_text=True)  # the refusal is flashed
    assert _examples(sessions, fleet.item_id) == []

    # its holder may, through the API too; the claim ends with the resolution
    answer = client.post("/api/v1/items/batch", json={"action": "done", "ids": [fleet.item_id],
                                                      "reason": "paid by cheque"},
                         headers=auth(_token_of(sessions, "hana")))
    assert answer.status_code == 200, answer.get_json()
    assert _state(sessions, fleet.item_id) == ItemState.DONE
    with sessions() as session:
        assert session.get(ItemClaim, fleet.item_id) is None
    [example] = _examples(sessions, fleet.item_id)
    assert (example.outcome, example.username, example.label["reason"]) == ("done", "hana", "paid by cheque")
    assert example.original["exception"]["code"] == "PO_MISSING"


def test_every_resolution_is_a_labelled_example_whichever_door(app, sessions, browser_for):
    ui_seed.build(app)
    declare(sessions, "copies", steps=("send",), bot="mailer")
    hugo = browser_for("handler", "hugo")
    token = _token_of(sessions, "hugo")
    client = app.test_client()
    retried, moved, rejected, done = (_escalate(app, ref) for ref in ("F-10", "F-11", "F-12", "F-13"))

    assert client.post("/api/v1/items/batch", json={"action": "retry", "ids": [retried], "reason": "PO found"},
                       headers=auth(token)).status_code == 200
    assert client.post("/api/v1/items/batch", json={"action": "move", "ids": [moved], "queue": "copies.send",
                                                    "reason": "the customer wants a copy"},
                       headers=auth(token)).status_code == 200
    hugo.post("/items/batch", {"action": "reject", "ids": [rejected], "reason": "cancelled order", "back": "/queues"})
    hugo.post("/inbox/bulk", {"action": "done", "ids": [done], "reason": "paid by transfer", "back": "/inbox"})

    outcomes = {item_id: [(e.outcome, e.kind, e.queue, e.username) for e in _examples(sessions, item_id)]
                for item_id in (retried, moved, rejected, done)}
    assert outcomes == {
        retried: [("retried", "portal_upload", "invoices.collect", "hugo")],
        moved: [("moved", "portal_upload", "invoices.collect", "hugo")],  # judged where the bot left it
        rejected: [("rejected", "portal_upload", "invoices.collect", "hugo")],
        done: [("done", "portal_upload", "invoices.collect", "hugo")],
    }
    [move] = _examples(sessions, moved)
    assert move.label == {"outcome": "moved", "reason": "the customer wants a copy", "queue": "copies.send"}
    with sessions() as session:
        item = session.get(WorkItem, moved)
        assert (session.get(Queue, item.queue_id).name, item.state) == ("copies.send", ItemState.NEW)


def test_items_not_escalated_keep_their_plain_actions(app, sessions):
    """A waiting item moved to another queue is no resolution: no claim to check, no example."""
    fleet = ui_seed.build(app)
    declare(sessions, "copies", steps=("send",), bot="mailer")
    answer = app.test_client().post(
        "/api/v1/items/batch", json={"action": "move", "ids": [fleet.other_item_id], "queue": "copies.send",
                                     "reason": "wrong process"}, headers=auth(user_token(sessions, "ops")))
    assert answer.status_code == 200, answer.get_json()
    assert _state(sessions, fleet.other_item_id) == ItemState.NEW
    assert _examples(sessions, fleet.other_item_id) == []
