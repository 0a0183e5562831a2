"""Labelled examples: every resolution of an escalated item is kept in `labelled_examples` for the bots
to learn from (a mail's true class, a corrected extraction, a confirmed match).

The learning code reads rows by `kind` (the bot whose output the person judged), compares `original`
(the payload the bot produced and its exception) with `label` (the person's corrected payload, or the
outcome and reason when they finished or rejected it by hand)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from control_room.models import LabelledExample, ProcessStep, Queue, WorkItem


def kind_of(session: Session, item: WorkItem) -> str:
    """The bot that consumes the item's queue; the queue's name when no step reads it."""
    bot = session.scalar(select(ProcessStep.bot).where(ProcessStep.queue_id == item.queue_id)
                         .order_by(ProcessStep.id).limit(1))
    return bot or session.get(Queue, item.queue_id).name


def original_of(item: WorkItem) -> dict[str, Any]:
    return {
        "payload": item.payload,
        "exception": {"type": item.exception_type.value if item.exception_type else None,
                      "code": item.exception_code, "message": item.exception_message},
    }


def record(session: Session, item: WorkItem, original: dict[str, Any], outcome: str, reason: str,
           username: str, corrected_payload: dict[str, Any] | None = None) -> LabelledExample:
    """Store one example in the caller's transaction; `original` is read before the item changed."""
    label: dict[str, Any] = {"outcome": outcome, "reason": reason}
    if corrected_payload is not None:
        label["payload"] = corrected_payload
        label["changed_fields"] = sorted(k for k in set(corrected_payload) | set(original["payload"])
                                         if corrected_payload.get(k) != original["payload"].get(k))
    example = LabelledExample(kind=kind_of(session, item), item_id=item.id, queue=item.queue.name,
                              outcome=outcome, original=original, label=label, username=username)
    session.add(example)
    session.flush()
    return example
