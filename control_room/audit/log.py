"""The append-only audit log: one event per state change, sealed into a hash chain.

A transaction writes its events as it commits, plainly, without waiting for any other writer. The
sealer (a background job of the control room, and `verify_chain` before it walks) then links them in
one chain: each sealed event gets the next position (`seq`) and a hash covering its content and the
previous event's hash, so editing or deleting a sealed row breaks the chain from there on. Only the
sealers take the chain's lock (a PostgreSQL advisory lock; SQLite's BEGIN IMMEDIATE already serialises
writers), so a busy queue's transactions never queue up behind one another for the log. Before it is
sealed (about a second) an event is still protected by the database triggers, which refuse any change
but the sealing itself.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, event, insert, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from control_room import clock
from control_room.audit.actors import Actor
from control_room.audit.models import AuditEvent
from control_room.serving.background import PeriodicJob
from control_room.storage.engine import is_postgres

GENESIS_HASH = "0" * 64
AUDIT_LOCK_KEY = 7270001
# Keys that must never reach the audit log: values of secrets, passwords, tokens.
FORBIDDEN_DETAIL_KEYS = frozenset({"password", "secret", "value", "values", "token", "api_token", "credential"})


class SensitiveDetail(ValueError):
    """A caller tried to write a secret into the audit log."""


def _canonical_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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


_LAST_SEALED = select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.seq.is_not(None)) \
    .order_by(AuditEvent.seq.desc()).limit(1)
_UNSEALED = select(AuditEvent.id, AuditEvent.at, AuditEvent.actor_type, AuditEvent.actor_id, AuditEvent.action,
                   AuditEvent.object_type, AuditEvent.object_id, AuditEvent.details) \
    .where(AuditEvent.seq.is_(None)).order_by(AuditEvent.id)
_SEAL = update(AuditEvent).where(AuditEvent.id == bindparam("b_id")) \
    .values(seq=bindparam("b_seq"), prev_hash=bindparam("b_prev"), hash=bindparam("b_hash"))
# PostgreSQL seals a batch in one statement (arrays unnested into rows) rather than one UPDATE per event:
# at hundreds of events a second the per-statement cost was most of the sealer's.
_SEAL_BATCH = text(
    "UPDATE audit_events SET seq = sealed.seq, prev_hash = sealed.prev_hash, hash = sealed.hash "
    "FROM unnest(CAST(:ids AS bigint[]), CAST(:seqs AS bigint[]), CAST(:prevs AS text[]), CAST(:hashes AS text[])) "
    "AS sealed(id, seq, prev_hash, hash) WHERE audit_events.id = sealed.id")
_SEAL_LOCK = text("SELECT pg_advisory_xact_lock(:k)").bindparams(k=AUDIT_LOCK_KEY)
_INSERT = insert(AuditEvent)
PENDING = "arfleet.audit.pending"


def record(session: Session, actor: Actor, action: str, object_type: str, object_id: object,
           details: dict[str, Any] | None = None) -> None:
    """Append one event to the caller's transaction: it is written when the transaction commits and
    vanishes if it rolls back."""
    details = json.loads(json.dumps(details or {}, default=str))  # exactly what the DB will return
    _check_details(details)
    session.info.setdefault(PENDING, []).append((actor.type, actor.id, action, object_type, str(object_id), details))


def _write_pending_events(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    at = clock.now(session)
    rows = [{"at": at, "actor_type": actor_type, "actor_id": actor_id, "action": action, "object_type": object_type,
             "object_id": object_id, "details": details}
            for actor_type, actor_id, action, object_type, object_id, details in pending]
    # one row (most transactions) as a plain statement: an executemany of one row costs more CPU
    session.connection().execute(_INSERT, rows[0] if len(rows) == 1 else rows)


def seal_pending(session: Session, batch: int = 5000) -> int:
    """Link the events not yet in the chain, oldest first, in the caller's transaction; returns how many."""
    postgres = is_postgres(session)
    if postgres:
        session.execute(_SEAL_LOCK)  # one sealer at a time: the chain stays linear
    connection = session.connection()  # Core rows: the sealer reads every event the control room writes
    last = connection.execute(_LAST_SEALED).first()
    if last is None:
        seq, prev = 0, GENESIS_HASH
    else:
        last_seq, last_hash = last
        if last_seq is None or last_hash is None:  # _LAST_SEALED reads sealed events only
            raise RuntimeError("audit chain: the last sealed event has no seq or hash")
        seq, prev = int(last_seq), str(last_hash)
    rows = []
    for event_id, *content in connection.execute(_UNSEALED.limit(batch)).all():
        seq += 1
        digest = event_hash(prev, *content)
        rows.append((event_id, seq, prev, digest))
        prev = digest
    if rows and postgres:
        ids, seqs, prevs, hashes = map(list, zip(*rows, strict=True))
        connection.execute(_SEAL_BATCH, {"ids": ids, "seqs": seqs, "prevs": prevs, "hashes": hashes})
    elif rows:
        connection.execute(_SEAL, [{"b_id": i, "b_seq": n, "b_prev": p, "b_hash": h} for i, n, p, h in rows])
    if rows:
        session.expire_all()
    return len(rows)


def seal_all(session: Session) -> int:
    sealed = 0
    while count := seal_pending(session):
        sealed += count
    return sealed


class Sealer(PeriodicJob):
    """`seal_all` every `interval` seconds, in the background: an event waits about that long to be chained."""

    def __init__(self, sessions: sessionmaker[Session], interval: float = 1.0) -> None:
        super().__init__("audit-sealer", sessions, seal_all, interval, "audit sealer chained %d event(s)")


def _drop_pending_events(session: Session) -> None:
    session.info.pop(PENDING, None)


def attach(sessions: sessionmaker[Session]) -> None:
    """Write a session's pending events as it commits, drop them when it rolls back (made by
    `storage.engine.make_session_factory`, so every session of the control room does it)."""
    event.listen(sessions, "before_commit", _write_pending_events)
    event.listen(sessions, "after_rollback", _drop_pending_events)


@dataclass(frozen=True)
class ChainVerdict:
    ok: bool
    events_checked: int
    first_bad_event_id: int | None = None
    reason: str = ""


def _chain(session: Session, batch: int = 5000) -> Iterator[AuditEvent]:
    """The sealed events in chain order."""
    last_seq = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > last_seq).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_seq = rows[-1].seq or last_seq
        session.expunge_all()


def verify_chain(session: Session) -> ChainVerdict:
    """Seal what is pending, then walk the whole chain; report the first event whose content or link does
    not check out. The caller commits (to keep the sealing) or rolls back."""
    seal_all(session)
    prev_hash = GENESIS_HASH
    count = 0
    for row in _chain(session):
        count += 1
        if row.prev_hash != prev_hash or row.seq != count:
            return ChainVerdict(False, count, row.id,
                                "the event before it was altered or removed (previous-hash link broken)")
        expected = event_hash(row.prev_hash, row.at, row.actor_type, row.actor_id, row.action,
                              row.object_type, row.object_id, row.details)
        if expected != row.hash:
            return ChainVerdict(False, count, row.id, "its content was altered (hash mismatch)")
        prev_hash = row.hash
    return ChainVerdict(True, count)
