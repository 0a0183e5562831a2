"""A person's action on one work item (retry, mark done, reject, move, delete) as a transition, and the
permission each needs. People reach it only through inbox/resolutions.py, which adds the inbox's rules."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from control_room.audit.actors import Actor
from control_room.queue import transitions
from control_room.queue.models import Queue

PERMISSION = {"retry": "items.resolve", "done": "items.resolve", "reject": "items.resolve",
              "move": "items.resolve", "delete": "items.delete"}


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

