"""The audit log's table: append-only events, sealed into a hash chain by the sealer."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from control_room.storage.base import AwareDateTime, Base, BigId


class AuditEvent(Base):
    """Append-only; once sealed, each row chains to the previous one by hash."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_object", "object_type", "object_id"),
        Index("ix_audit_actor", "actor_type", "actor_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(AwareDateTime, index=True)
    actor_type: Mapped[str] = mapped_column(String(16))  # user, runner, run, system
    actor_id: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # set once, by the sealer (audit.seal_pending): the event's place in the chain and its hashes
    seq: Mapped[int | None] = mapped_column(BigInteger)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


Index("ix_audit_action_id", AuditEvent.action, AuditEvent.id)
Index("ix_audit_actor_id_id", AuditEvent.actor_id, AuditEvent.id)
Index("ix_audit_events_seq", AuditEvent.seq, unique=True)
Index("ix_audit_events_unsealed", AuditEvent.id, postgresql_where=AuditEvent.seq.is_(None),
      sqlite_where=AuditEvent.seq.is_(None))
