"""Labelled examples: every resolution of an escalated item is kept in `labelled_examples` for the bots
to learn from (a mail's true class, a corrected extraction, a confirmed match).

The learning code reads rows by `kind` (the bot whose output the person judged), compares `original`
(the payload the bot produced and its exception) with `label` (the person's corrected payload, or the
outcome and reason when they finished, rejected or moved it by hand)."""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from control_room.fleet.models import ProcessStep
from control_room.inbox.models import LabelledExample
from control_room.queue.models import Queue, WorkItem


@dataclass(frozen=True)
class Before:
    """An escalated item as the bot left it, taken before a person changes it (a move changes its queue)."""

    item_id: int
    kind: str
    queue: str
    original: dict[str, Any]


def kind_of(session: Session, item: WorkItem) -> str:
    """The bot that consumes the item's queue; the queue's name when no step reads it."""
    bot = session.scalar(select(ProcessStep.bot).where(ProcessStep.queue_id == item.queue_id)
                         .order_by(ProcessStep.id).limit(1))
    if bot:
        return bot
    queue = session.get(Queue, item.queue_id)
    return queue.name if queue is not None else str(item.queue_id)


def snapshot(session: Session, item: WorkItem) -> Before:
    queue = session.get(Queue, item.queue_id)
    original = {
        "payload": copy.deepcopy(item.payload),
        "exception": {"type": item.exception_type.value if item.exception_type else None,
                      "code": item.exception_code, "message": item.exception_message},
    }
    return Before(item.id, kind_of(session, item), queue.name if queue is not None else "", original)


def record(session: Session, before: Before, outcome: str, reason: str, username: str,
           corrected_payload: dict[str, Any] | None = None, moved_to: str | None = None) -> LabelledExample:
    """Store one example in the caller's transaction."""
    label: dict[str, Any] = {"outcome": outcome, "reason": reason}
    if corrected_payload is not None:
        payload = before.original["payload"]
        label["payload"] = corrected_payload
        label["changed_fields"] = sorted(k for k in set(corrected_payload) | set(payload)
                                         if corrected_payload.get(k) != payload.get(k))
    if moved_to is not None:
        label["queue"] = moved_to
    example = LabelledExample(kind=before.kind, item_id=before.item_id, queue=before.queue, outcome=outcome,
                              original=before.original, label=label, username=username)
    session.add(example)
    session.flush()
    return example
