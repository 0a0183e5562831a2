"""The append-only audit log: one event per state change, each chained to the previous by hash.

An event's hash covers its content and the previous event's hash, so editing or deleting a row
breaks the chain from there on; `verify_chain` names the first broken event. Appends are serialised
(PostgreSQL advisory transaction lock; SQLite's BEGIN IMMEDIATE) so the chain stays linear.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select, text
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


def record(session: Session, actor: Actor, action: str, object_type: str, object_id: object,
           details: dict[str, Any] | None = None) -> AuditEvent:
    """Append one event in the caller's transaction."""
    details = json.loads(json.dumps(details or {}, default=str))  # exactly what the DB will return
    _check_details(details)
    if is_postgres(session):
        session.execute(_APPEND_LOCK)
    prev = session.scalar(_LAST_HASH) or GENESIS_HASH
    at = datetime.now(timezone.utc)
    event = AuditEvent(
        at=at, actor_type=actor.type, actor_id=actor.id, action=action, object_type=object_type,
        object_id=str(object_id), details=details, prev_hash=prev,
        hash=event_hash(prev, at, actor.type, actor.id, action, object_type, str(object_id), details),
    )
    session.add(event)
    session.flush()
    return event


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
    for event in _events(session):
        count += 1
        if event.prev_hash != prev_hash:
            return ChainVerdict(False, count, event.id,
                                "the event before it was altered or removed (previous-hash link broken)")
        expected = event_hash(event.prev_hash, event.at, event.actor_type, event.actor_id, event.action,
                              event.object_type, event.object_id, event.details)
        if expected != event.hash:
            return ChainVerdict(False, count, event.id, "its content was altered (hash mismatch)")
        prev_hash = event.hash
    return ChainVerdict(True, count)
