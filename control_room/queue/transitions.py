"""Every work-item state change, and only here.

Each transition is a guarded compare-and-set (`UPDATE … WHERE id = ? AND state IN (allowed)`), which
fails loudly when no row changed, and writes its audit event in the caller's transaction. Callers own
the transaction (they commit); nothing here commits. (On PostgreSQL the robot API also runs `reserve_first`
and `complete` as one statement each: one_statement_calls.py, tested to change exactly the same.)

    draft ──publish──► new ──reserve──► reserved ──done──► done
                        ▲                  │
                        └──retry (back-off)┤ application failure, lease expiry
                                           └──► exception ──(person)──► new / done / rejected
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, Update, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from control_room import audit, clock
from control_room.audit.actors import SYSTEM, Actor
from control_room.fleet.models import Process, ProcessStep
from control_room.queue import item_files
from control_room.queue.models import ExceptionType, ItemState, Queue, WorkItem, in_state
from control_room.queue.retry_policy import RetryPolicy, decide
from control_room.storage.base import AwareDateTime

S = ItemState
PERSON_EDITABLE = (S.NEW, S.EXCEPTION, S.REJECTED)


class TransitionRefused(Exception):
    """The item is not in a state that allows this change (or another run holds it)."""

    def __init__(self, item_id: int, action: str, allowed: tuple[ItemState, ...]):
        self.item_id, self.action, self.allowed = item_id, action, allowed
        states = ", ".join(s.value for s in allowed)
        super().__init__(f"item {item_id}: cannot {action}; it must be {states} (and held by the caller)")


class DuplicateReference(Exception):
    def __init__(self, queue: str, reference: str, existing_id: int):
        self.queue, self.reference, self.existing_id = queue, reference, existing_id
        super().__init__(f"queue {queue!r} already has an item with reference {reference!r} (item {existing_id})")


def _cas(session: Session, item_id: int, action: str, allowed: tuple[ItemState, ...], values: dict[str, Any], *,
         held_by: int | None = None, lease_ended_before: datetime | None = None) -> None:
    """`UPDATE … WHERE id = ? AND state IN (allowed)` [`AND step_run_id = held_by`] [`AND lease_expires_at <
    lease_ended_before`], or TransitionRefused."""
    guards = {name: value for name, value in (("held_by", held_by), ("lease_ended_before", lease_ended_before))
              if value is not None}
    statement = _cas_statement(allowed, tuple(values), tuple(guards))
    result = session.connection().execute(statement, {  # Core: this runs for every item state change
        "b_id": item_id, "b_updated": clock.now(session), **{f"g_{k}": v for k, v in guards.items()},
        **{f"v_{k}": v for k, v in values.items()}})
    if result.rowcount != 1:
        raise TransitionRefused(item_id, action, allowed)
    _expire_loaded(session, item_id)


_CAS_GUARDS = {"held_by": lambda: WorkItem.step_run_id == bindparam("g_held_by"),
               "lease_ended_before": lambda: WorkItem.lease_expires_at < bindparam("g_lease_ended_before",
                                                                                    type_=AwareDateTime())}


@lru_cache(maxsize=64)
def _cas_statement(allowed: tuple[ItemState, ...], columns: tuple[str, ...], guards: tuple[str, ...]) -> Update:
    """Built once per shape: building an UPDATE costs more CPU than running it."""
    table = WorkItem.__table__.c
    return (update(WorkItem)
            .where(WorkItem.id == bindparam("b_id"), WorkItem.state.in_(allowed), *(_CAS_GUARDS[g]() for g in guards))
            .values(updated_at=bindparam("b_updated", type_=AwareDateTime()),
                    **{c: bindparam(f"v_{c}", type_=table[c].type) for c in columns})
            .execution_options(synchronize_session=False))


def _expire_loaded(session: Session, item_id: int) -> None:
    """Keep an already loaded instance in step with a row changed by a Core statement."""
    loaded = session.identity_map.get(identity_key(WorkItem, item_id))
    if loaded is not None:
        session.expire(loaded)


def _audit(session: Session, actor: Actor, action: str, item_id: int, **details: Any) -> None:
    audit.record(session, actor, action, "work_item", item_id, details)


def _existing_with_reference(session: Session, queue_id: int, reference: str) -> int | None:
    return session.scalar(select(WorkItem.id).where(WorkItem.queue_id == queue_id, WorkItem.reference == reference))


@dataclass(frozen=True)
class NewItem:
    payload: dict[str, Any]
    reference: str | None = None
    priority: int = 0
    deadline: datetime | None = None
    defer_until: datetime | None = None
    parent_id: int | None = None


def create(session: Session, queue: Queue, new: NewItem, actor: Actor, *, process_id: int | None = None,
           draft_of_run: int | None = None) -> WorkItem:
    """Add an item to a queue. A draft (an output a run is still writing) is published when the run
    releases its input. A reference already used in the queue raises DuplicateReference."""
    if new.reference is not None:
        existing = _existing_with_reference(session, queue.id, new.reference)
        if existing is not None:
            raise DuplicateReference(queue.name, new.reference, existing)
    item = WorkItem(
        queue_id=queue.id, process_id=process_id, payload=new.payload, reference=new.reference,
        priority=new.priority, deadline=new.deadline, defer_until=new.defer_until, parent_id=new.parent_id,
        state=S.DRAFT if draft_of_run else S.NEW, created_by_run_id=draft_of_run,
    )
    try:
        with session.begin_nested():
            session.add(item)
            session.flush()
    except IntegrityError:
        if new.reference is None:
            raise
        existing = _existing_with_reference(session, queue.id, new.reference)
        if existing is None:
            raise
        raise DuplicateReference(queue.name, new.reference, existing) from None
    _audit(session, actor, "item.created", item.id, queue=queue.name, reference=new.reference,
           parent_id=new.parent_id, state=item.state.value)
    return item


def publish_outputs(session: Session, parent_id: int, actor: Actor) -> list[int]:
    """Drafts written for `parent_id` become visible to the next step."""
    ids = session.connection().scalars(_PUBLISH, {"b_parent": parent_id, "b_updated": clock.now(session)}).all()
    for item_id in ids:
        _expire_loaded(session, item_id)
        _audit(session, actor, "item.published", item_id, **event_details("item.published", parent_id))
    return list(ids)


# --- the robot's per-item changes, written once ----------------------------------------------------------
# The guards and values of reserve, complete and publish, and the details of their audit events, serve both
# the general path below and PostgreSQL's one-statement calls (one_statement_calls.py): a new guard or audit
# field is written here, once.

def reserving(candidate: ColumnElement[Any], step_run_id: ColumnElement[Any], now: ColumnElement[Any],
              lease_until: ColumnElement[Any]) -> Update:
    """`UPDATE … SET reserved WHERE id = candidate AND state = 'new'`."""
    return (update(WorkItem).where(WorkItem.id == candidate, in_state(S.NEW))
            .values(state=S.RESERVED, step_run_id=step_run_id, updated_at=now, lease_expires_at=lease_until,
                    attempts=WorkItem.attempts + 1))


def completing(item_id: ColumnElement[Any], step_run_id: ColumnElement[Any], now: ColumnElement[Any]) -> Update:
    """`UPDATE … SET done WHERE id = item AND state = 'reserved' AND step_run_id = the holder`."""
    return (update(WorkItem).where(WorkItem.id == item_id, in_state(S.RESERVED), WorkItem.step_run_id == step_run_id)
            .values(state=S.DONE, lease_expires_at=None, updated_at=now))


def publishing(parent_id: ColumnElement[Any], now: ColumnElement[Any]) -> Update:
    """`UPDATE … SET new WHERE parent_id = parent AND state = 'draft'`."""
    return (update(WorkItem).where(WorkItem.parent_id == parent_id, in_state(S.DRAFT))
            .values(state=S.NEW, updated_at=now))


EVENT_DETAILS = {"item.reserved": ("step_run_id", "lease_seconds"), "item.done": ("step_run_id",),
                 "item.published": ("parent_id",)}


def event_details(action: str, *values: Any) -> dict[str, Any]:
    """The details of a per-item audit event, named as EVENT_DETAILS says (values in that order)."""
    return dict(zip(EVENT_DETAILS[action], values, strict=True))


_NOW = bindparam("b_updated", type_=AwareDateTime())
_PUBLISH = (publishing(bindparam("b_parent"), _NOW).returning(WorkItem.id)
            .execution_options(synchronize_session=False))


@lru_cache(maxsize=8)
def _reserve_statement(candidates: Select[int]) -> Update:
    return (reserving(candidates.limit(1).scalar_subquery(), bindparam("b_step_run"), _NOW,
                      bindparam("b_lease_until", type_=AwareDateTime()))
            .returning(WorkItem.id).execution_options(synchronize_session=False))


_COMPLETE = (completing(bindparam("b_id"), bindparam("b_step_run"), _NOW)
             .execution_options(synchronize_session=False))


def reserve_first(session: Session, candidates: Select[int], params: dict[str, Any], step_run_id: int,
                  lease_seconds: int, actor: Actor) -> int | None:
    """Reserve the first of `candidates` (a prepared query of NEW item ids, best first, taking `params`)
    in one statement: `UPDATE … WHERE id = (candidates LIMIT 1) AND state = 'new' RETURNING id`."""
    now = clock.now(session)
    item_id: int | None = session.connection().scalar(_reserve_statement(candidates), {
        **params, "b_step_run": step_run_id, "b_updated": now, "b_lease_until": now + timedelta(seconds=lease_seconds)})
    if item_id is not None:
        _audit(session, actor, "item.reserved", item_id, **event_details("item.reserved", step_run_id, lease_seconds))
    return item_id


def extend_lease(session: Session, item_id: int, step_run_id: int, lease_seconds: int, actor: Actor) -> datetime:
    until = clock.now(session) + timedelta(seconds=lease_seconds)
    _cas(session, item_id, "extend the lease of", (S.RESERVED,), {"lease_expires_at": until}, held_by=step_run_id)
    _audit(session, actor, "item.lease_extended", item_id, until=until.isoformat())
    return until


def complete(session: Session, item_id: int, step_run_id: int, actor: Actor) -> None:
    result = session.connection().execute(
        _COMPLETE, {"b_id": item_id, "b_step_run": step_run_id, "b_updated": clock.now(session)})
    if result.rowcount != 1:
        raise TransitionRefused(item_id, "complete", (S.RESERVED,))
    _expire_loaded(session, item_id)
    _audit(session, actor, "item.done", item_id, **event_details("item.done", step_run_id))
    publish_outputs(session, item_id, actor)


def policy_for(session: Session, item_id: int) -> RetryPolicy:
    """The retry policy of the step that reads the item's queue (its own override, else its process's)."""
    row = session.execute(
        select(ProcessStep.max_retries, Process.max_retries, Process.retry_base_seconds, ProcessStep.poll_codes,
               ProcessStep.poll_seconds, ProcessStep.escalate_codes)
        .join(Process, ProcessStep.process_id == Process.id)
        .join(WorkItem, WorkItem.queue_id == ProcessStep.queue_id)
        .where(WorkItem.id == item_id).limit(1)
    ).first()
    if row is None:
        return RetryPolicy()
    step_retries, process_retries, base, poll_codes, poll_seconds, escalate_codes = row
    return RetryPolicy(max_retries=process_retries if step_retries is None else step_retries, base_seconds=base,
                       poll_codes=frozenset(poll_codes or ()), poll_seconds=poll_seconds or 3600,
                       escalate_codes=frozenset(escalate_codes or ()))


def _fail(session: Session, item_id: int, action: str, exception_type: ExceptionType, code: str | None,
          message: str | None, actor: Actor, **guards: Any) -> bool:
    attempts = session.scalar(select(WorkItem.attempts).where(WorkItem.id == item_id))
    if attempts is None:
        raise TransitionRefused(item_id, action, (S.RESERVED,))
    decision = decide(policy_for(session, item_id), exception_type, attempts, clock.now(session), code)
    values: dict[str, Any] = {
        "exception_type": exception_type, "exception_code": code, "exception_message": message,
        "lease_expires_at": None, "step_run_id": None,
    }
    if decision.retry:
        values.update(state=S.NEW, defer_until=decision.not_before)
        if not decision.spends_attempt:
            values["attempts"] = attempts - 1  # the guards below keep anyone else from changing it meanwhile
    else:
        values.update(state=S.EXCEPTION)
    _cas(session, item_id, action, (S.RESERVED,), values, **guards)
    _audit(session, actor, "item.failed", item_id, exception_type=exception_type.value, code=code,
           message=message, retry=decision.retry,
           not_before=decision.not_before.isoformat() if decision.not_before else None, decision=decision.why)
    return decision.retry


def fail(session: Session, item_id: int, step_run_id: int, exception_type: ExceptionType, code: str | None,
         message: str | None, actor: Actor) -> bool:
    """Release as failed. Returns True when the item will be retried, False when it was escalated."""
    retried = _fail(session, item_id, "fail", exception_type, code, message, actor, held_by=step_run_id)
    publish_outputs(session, item_id, actor)
    return retried


def expire_lease(session: Session, item_id: int, now: datetime) -> bool:
    """The holder neither released nor extended in time: an application failure; what it was still
    writing is discarded."""
    retried = _fail(session, item_id, "expire the lease of", ExceptionType.APPLICATION, "LEASE_EXPIRED",
                    "The bot did not release or extend the item before its lease ended", SYSTEM,
                    lease_ended_before=now)
    discard_drafts(session, item_id, SYSTEM, "its input's lease expired")
    return retried


def settle_abandoned(session: Session, item_id: int, step_run_id: int) -> bool:
    """A run ended while still holding the item; what it was still writing is discarded."""
    retried = _fail(session, item_id, "settle", ExceptionType.APPLICATION, "NOT_RELEASED",
                    "not released by the bot", SYSTEM, held_by=step_run_id)
    discard_drafts(session, item_id, SYSTEM, "its run ended without releasing the input")
    return retried


def retry(session: Session, item_id: int, actor: Actor, reason: str, payload: dict[str, Any] | None = None) -> None:
    """A person sends the item back to its queue, with a fresh attempt count (and a fixed payload)."""
    values: dict[str, Any] = {"state": S.NEW, "attempts": 0, "defer_until": None, "exception_type": None,
                              "exception_code": None, "exception_message": None}
    if payload is not None:
        values["payload"] = payload
    _cas(session, item_id, "retry", PERSON_EDITABLE, values)
    _audit(session, actor, "item.retried", item_id, reason=reason, payload_changed=payload is not None)


def mark_done(session: Session, item_id: int, actor: Actor, reason: str) -> None:
    _cas(session, item_id, "mark done", PERSON_EDITABLE, {"state": S.DONE})
    _audit(session, actor, "item.marked_done", item_id, reason=reason)


def reject(session: Session, item_id: int, actor: Actor, reason: str) -> None:
    _cas(session, item_id, "reject", (S.EXCEPTION,), {"state": S.REJECTED})
    _audit(session, actor, "item.rejected", item_id, reason=reason)


def move(session: Session, item_id: int, target: Queue, actor: Actor, reason: str) -> None:
    item = session.get(WorkItem, item_id)
    if item is None:
        raise TransitionRefused(item_id, "move", PERSON_EDITABLE)
    if item.reference is not None:
        existing = _existing_with_reference(session, target.id, item.reference)
        if existing is not None and existing != item_id:
            raise DuplicateReference(target.name, item.reference, existing)
    source = item.queue_id
    _cas(session, item_id, "move", PERSON_EDITABLE,
         {"queue_id": target.id, "state": S.NEW, "attempts": 0, "defer_until": None})
    _audit(session, actor, "item.moved", item_id, from_queue_id=source, to_queue=target.name, reason=reason)


def delete(session: Session, item_id: int, actor: Actor, reason: str) -> None:
    item = session.get(WorkItem, item_id)
    if item is None or item.state in (S.RESERVED, S.DRAFT):
        raise TransitionRefused(item_id, "delete", (S.NEW, S.DONE, S.EXCEPTION, S.REJECTED))
    _audit(session, actor, "item.deleted", item_id, reason=reason, queue_id=item.queue_id,
           reference=item.reference, state=item.state.value)
    session.delete(item)
    session.flush()
    item_files.remove_after_commit(session, [item_id])


def discard_drafts(session: Session, parent_id: int, actor: Actor, reason: str) -> list[int]:
    """The outputs a run was still writing when it died holding their input: gone, so the input's
    retry writes them again whole, under the same unique references."""
    drafts = session.scalars(select(WorkItem).where(WorkItem.parent_id == parent_id, in_state(S.DRAFT))).all()
    for draft in drafts:
        _audit(session, actor, "item.discarded", draft.id, reason=reason, queue_id=draft.queue_id,
               reference=draft.reference, parent_id=parent_id)
        session.delete(draft)
    session.flush()
    ids = [d.id for d in drafts]
    item_files.remove_after_commit(session, ids)
    return ids


def save_payload(session: Session, item_id: int, payload: dict[str, Any], actor: Actor) -> None:
    _cas(session, item_id, "save the payload of", (S.RESERVED, S.DRAFT), {"payload": payload})
    _audit(session, actor, "item.payload_saved", item_id,
           keys=sorted(payload)[:50] if isinstance(payload, dict) else [])
