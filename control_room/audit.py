"""The append-only audit log: one event per state change, each chained to the previous by hash.

An event's hash covers its content and the previous event's hash, so editing or deleting a row
breaks the chain from there on; `verify_chain` names the first broken event. Events are chained when
their transaction commits, under a PostgreSQL advisory transaction lock (SQLite's BEGIN IMMEDIATE
already serialises writers), so the chain stays linear and the lock is held only for the append.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import event, insert, select, text
from sqlalchemy.orm import Session

from control_room.actors import Actor
from control_room.db import is_postgres
from control_room.models import AuditEvent

GENESIS_HASH = "0" * 64
AUDIT_LOCK_KEY = 7270001
# Keys that must never reach the audit log: values of secrets, passwords, tokens.
FORBIDDEN_DETAIL_KEYS = frozenset({"password", "secret", "value", "values", "token", "api_token", "credential"})


class SensitiveDetail(ValueError):
    """A caller tried to write a secret into the audit log."""


def _canonical_time(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(prev_hash: str, at: datetime, actor_type: str, actor_id: str, action: str,
               object_type: str, object_id: str, details: dict[str, Any]) -> str:
    body = json.dumps(
        [prev_hash, _canonical_time(at), actor_type, actor_id, action, object_type, object_id, details],
        sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _check_details(details: dict[str, Any]) -> None:
    for key, value in details.items():
        if key.lower() in FORBIDDEN_DETAIL_KEYS:
            raise SensitiveDetail(f"audit details may not carry {key!r}")
        if isinstance(value, dict):
            _check_details(value)


_LAST_HASH = select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
_APPEND_LOCK = text("SELECT pg_advisory_xact_lock(:k)").bindparams(k=AUDIT_LOCK_KEY)
PENDING = "arfleet.audit.pending"


def record(session: Session, actor: Actor, action: str, object_type: str, object_id: object,
           details: dict[str, Any] | None = None) -> None:
    """Append one event to the caller's transaction: it is written, chained, when the transaction commits
    and vanishes if it rolls back. Chaining at commit keeps the chain's lock for the shortest time."""
    details = json.loads(json.dumps(details or {}, default=str))  # exactly what the DB will return
    _check_details(details)
    session.info.setdefault(PENDING, []).append((actor.type, actor.id, action, object_type, str(object_id), details))


@event.listens_for(Session, "before_commit")
def _chain_pending_events(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    if is_postgres(session):
        session.execute(_APPEND_LOCK)  # held until the commit: appends stay linear
    prev = session.scalar(_LAST_HASH) or GENESIS_HASH
    at = datetime.now(timezone.utc)
    rows = []
    for actor_type, actor_id, action, object_type, object_id, details in pending:
        digest = event_hash(prev, at, actor_type, actor_id, action, object_type, object_id, details)
        rows.append({"at": at, "actor_type": actor_type, "actor_id": actor_id, "action": action,
                     "object_type": object_type, "object_id": object_id, "details": details,
                     "prev_hash": prev, "hash": digest})
        prev = digest
    session.execute(insert(AuditEvent), rows)


@event.listens_for(Session, "after_rollback")
def _drop_pending_events(session: Session) -> None:
    session.info.pop(PENDING, None)


@dataclass(frozen=True)
class ChainVerdict:
    ok: bool
    events_checked: int
    first_bad_event_id: int | None = None
    reason: str = ""


def _events(session: Session, batch: int = 5000) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id
        session.expunge_all()


def verify_chain(session: Session) -> ChainVerdict:
    """Walk the whole log; report the first event whose content or link does not check out."""
    prev_hash = GENESIS_HASH
    count = 0
    for row in _events(session):
        count += 1
        if row.prev_hash != prev_hash:
            return ChainVerdict(False, count, row.id,
                                "the event before it was altered or removed (previous-hash link broken)")
        expected = event_hash(row.prev_hash, row.at, row.actor_type, row.actor_id, row.action,
                              row.object_type, row.object_id, row.details)
        if expected != row.hash:
            return ChainVerdict(False, count, row.id, "its content was altered (hash mismatch)")
        prev_hash = row.hash
    return ChainVerdict(True, count)
