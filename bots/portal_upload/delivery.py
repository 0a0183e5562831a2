"""What delivering an invoice means, whatever the channel: every channel's driver (``channels/``)
delivers an invoice once and only once and returns a :class:`DeliveryResult` — the reference the
receiving system gave, its status, whether a previous attempt had already delivered it, the
evidence files — and reads its status afterwards (``Driver.follow``). The result is what the bot
keeps on the work item.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bots.portal_upload.model import InvoiceJob
from bots.portal_upload.statuses import StatusUpdate


@dataclass(frozen=True)
class DeliveryResult:
    channel: str
    reference: str  # what the receiving side calls it: submission reference, flow number, Message-ID…
    status: StatusUpdate
    already_delivered: bool = False  # found delivered by an earlier attempt, not sent now
    evidence: tuple[Path, ...] = ()  # confirmation screenshot, deposit receipt…
    details: dict[str, Any] = field(default_factory=dict)

    def to_payload(self) -> dict[str, Any]:
        """As kept on the work item (JSON)."""
        return {"channel": self.channel, "reference": self.reference, "status": asdict(self.status),
                "final": self.status.final, "already_delivered": self.already_delivered,
                "evidence": [p.name for p in self.evidence], "details": self.details}

    @classmethod
    def from_payload(cls, raw: dict[str, Any]) -> DeliveryResult:
        return cls(raw["channel"], raw["reference"], StatusUpdate(**raw["status"]),
                   bool(raw.get("already_delivered")), (), dict(raw.get("details") or {}))


class Driver(Protocol):
    """One channel's way of delivering an invoice and of reading its status afterwards."""

    channel: str

    def deliver(self, job: InvoiceJob, facturx_pdf: Path) -> DeliveryResult: ...

    def follow(self, job: InvoiceJob, delivered: DeliveryResult) -> DeliveryResult: ...
