"""A person's action on one or many work items (retry, mark done, reject, move, delete), all or
nothing: what the native API's batch endpoint and the web UI both do, on top of transitions.py."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from control_room import transitions
from control_room.actors import Actor
from control_room.models import Queue, WorkItem
from control_room.transitions import DuplicateReference, TransitionRefused

PERMISSION = {"retry": "items.resolve", "done": "items.resolve", "reject": "items.resolve",
              "move": "items.resolve", "delete": "items.delete"}


@dataclass(frozen=True)
class Refusal:
    item_id: int
    message: str


def apply(session: Session, action: str, item_id: int, actor: Actor, reason: str, *,
          target: Queue | None = None, payload: dict[str, Any] | None = None) -> None:
    """One transition, audited in the caller's transaction; raises TransitionRefused/DuplicateReference."""
    if action == "retry":
        transitions.retry(session, item_id, actor, reason, payload)
    elif action == "done":
        transitions.mark_done(session, item_id, actor, reason)
    elif action == "reject":
        transitions.reject(session, item_id, actor, reason)
    elif action == "move":
        if target is None:
            raise ValueError("move needs a target queue")
        transitions.move(session, item_id, target, actor, reason)
    elif action == "delete":
        transitions.delete(session, item_id, actor, reason)
    else:
        raise ValueError(f"unknown action {action!r}")


def apply_many(session: Session, action: str, ids: list[int], actor: Actor, reason: str,
               target: Queue | None = None) -> list[Refusal]:
    """Try every item; the caller commits only when nothing was refused."""
    refusals = []
    for item_id in ids:
        if session.get(WorkItem, item_id) is None:
            refusals.append(Refusal(item_id, "no such item"))
            continue
        try:
            apply(session, action, item_id, actor, reason, target=target)
        except (TransitionRefused, DuplicateReference) as exc:
            refusals.append(Refusal(item_id, str(exc)))
    return refusals
