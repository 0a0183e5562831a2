"""The exception inbox's tables: who is working on an escalated item, and every resolution kept as a
labelled example."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from control_room.storage.base import AwareDateTime, Base, BigId, utcnow


class ItemClaim(Base):
    """Who is working on an escalated item right now, so two handlers do not fix it twice."""

    __tablename__ = "item_claims"
    item_id: Mapped[int] = mapped_column(ForeignKey("work_items.id", ondelete="CASCADE"), primary_key=True)
    username: Mapped[str] = mapped_column(String(120))
    claimed_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)


class LabelledExample(Base):
    """A person's resolution of an escalated item, kept for the bots to learn from.

    `kind` names the bot whose output was judged (the step consuming the item's queue), `original`
    holds what the bot produced (payload and its exception), `label` what the person decided (the
    corrected payload, or the outcome and reason). Rows outlive the item, hence no foreign key."""

    __tablename__ = "labelled_examples"
    __table_args__ = (Index("ix_labelled_examples_kind_id", "kind", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(120))
    item_id: Mapped[int] = mapped_column(BigId, index=True)
    queue: Mapped[str] = mapped_column(String(120))
    outcome: Mapped[str] = mapped_column(String(16))  # retried | done | rejected
    original: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    label: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    username: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
