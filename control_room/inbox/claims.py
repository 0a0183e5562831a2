"""Claims on escalated items: a handler takes an item so the others see who is working on it, and
nobody else resolves it meanwhile. Claiming and releasing are audited."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from control_room import audit
from control_room.audit.actors import Actor
from control_room.inbox.models import ItemClaim
from control_room.queue.models import ItemState, WorkItem


class ClaimRefused(Exception):
    """Someone else holds the item, or it is no longer waiting for a person."""


def holder(session: Session, item_id: int) -> str | None:
    return session.scalar(select(ItemClaim.username).where(ItemClaim.item_id == item_id))


def holders(session: Session, item_ids: list[int]) -> dict[int, str]:
    if not item_ids:
        return {}
    return dict(session.execute(select(ItemClaim.item_id, ItemClaim.username)
                                .where(ItemClaim.item_id.in_(item_ids))).all())


def claim(session: Session, item_id: int, username: str, actor: Actor) -> None:
    item = session.get(WorkItem, item_id)
    if item is None or item.state != ItemState.EXCEPTION:
        raise ClaimRefused(f"item {item_id} is not waiting in the exception inbox")
    current = holder(session, item_id)
    if current == username:
        return
    if current is not None:
        raise ClaimRefused(f"item {item_id} is claimed by {current}")
    try:
        with session.begin_nested():  # two handlers clicking at once: the primary key decides
            session.add(ItemClaim(item_id=item_id, username=username))
    except IntegrityError:
        raise ClaimRefused(f"item {item_id} is claimed by {holder(session, item_id)}") from None
    audit.record(session, actor, "item.claimed", "work_item", item_id, {"by": username})


def require_free_or_mine(session: Session, item_id: int, username: str) -> None:
    current = holder(session, item_id)
    if current is not None and current != username:
        raise ClaimRefused(f"item {item_id} is claimed by {current}")


def release(session: Session, item_id: int, actor: Actor, username: str, *, force: bool = False) -> None:
    """Give the item back; only its holder may, unless `force` (an admin freeing a stuck claim)."""
    row = session.get(ItemClaim, item_id)
    if row is None:
        return
    if row.username != username and not force:
        raise ClaimRefused(f"item {item_id} is claimed by {row.username}")
    session.delete(row)
    session.flush()
    audit.record(session, actor, "item.claim_released", "work_item", item_id, {"held_by": row.username})


def drop(session: Session, item_id: int) -> None:
    """The item was resolved: its claim ends with it (the resolution itself is audited)."""
    row = session.get(ItemClaim, item_id)
    if row is not None:
        session.delete(row)
        session.flush()
