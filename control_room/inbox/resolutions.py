"""A person's action on work items, whichever door they use (the inbox page, the queues page's bulk
actions, the native API's batch): the one place where the inbox's rules hold.

On an escalated item (state `exception`) an action is a *resolution*: it is refused while another handler
claims the item, and retried, done, rejected or moved items are each kept as a labelled example for the
bots to learn from; the claim ends with it. Items in other states (a done item sent back, a new item
moved) go through the same transitions without those rules. Everything happens in the caller's
transaction; the caller commits only when nothing was refused (all or nothing)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from control_room.audit.actors import Actor
from control_room.inbox import claims, examples
from control_room.queue import item_actions
from control_room.queue.models import ItemState, Queue, WorkItem
from control_room.queue.transitions import DuplicateReference, TransitionRefused

# the actions that resolve an escalated item, and the outcome each labelled example records
OUTCOMES = {"retry": "retried", "done": "done", "reject": "rejected", "move": "moved"}


@dataclass(frozen=True)
class Refusal:
    """Why one item of a request was not changed; `claimed_by` names the handler holding it, if that is why."""

    item_id: int
    message: str
    claimed_by: str | None = None


def resolve(session: Session, item: WorkItem, action: str, person: Actor, reason: str, *,
            corrected_payload: dict[str, Any] | None = None, target: Queue | None = None,
            escalated_only: bool = False) -> None:
    """Act on one item; raises ClaimRefused, TransitionRefused or DuplicateReference. `escalated_only`
    (the inbox page) refuses items that are not waiting for a person.

    `corrected_payload` (retry only) is the payload as the person left it; it replaces the item's when it
    differs, and the example records which fields they changed."""
    escalated = item.state == ItemState.EXCEPTION
    if escalated_only and not escalated:
        raise TransitionRefused(item.id, action, (ItemState.EXCEPTION,))
    if escalated:
        claims.require_free_or_mine(session, item.id, person.id)
    before = examples.snapshot(session, item)  # as the bot left it, before the change
    changed = corrected_payload if corrected_payload is not None and corrected_payload != item.payload else None
    item_actions.apply(session, action, item.id, person, reason, target=target, payload=changed)
    if not escalated:
        return
    if action in OUTCOMES:
        examples.record(session, before, OUTCOMES[action], reason, person.id,
                        corrected_payload=corrected_payload if action == "retry" else None,
                        moved_to=target.name if action == "move" and target is not None else None)
    claims.drop(session, item.id)


def resolve_many(session: Session, action: str, ids: list[int], person: Actor, reason: str,
                 target: Queue | None = None, *, escalated_only: bool = False) -> list[Refusal]:
    """Try every item with the same reason and return what was refused; the caller commits only when
    nothing was (a refused item changed nothing: every check comes before its change)."""
    refusals = []
    for item_id in ids:
        item = session.get(WorkItem, item_id)
        if item is None:
            refusals.append(Refusal(item_id, "no such item"))
            continue
        try:
            resolve(session, item, action, person, reason, target=target, escalated_only=escalated_only)
        except claims.ClaimRefused as exc:
            refusals.append(Refusal(item_id, str(exc), claims.holder(session, item_id)))
        except (TransitionRefused, DuplicateReference) as exc:
            refusals.append(Refusal(item_id, str(exc)))
    return refusals
