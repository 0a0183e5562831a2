"""What a status read on a channel means for accounts receivable, as a pure lookup: still on its
way, accepted by the buyer, paid, or stopped (rejected, suspended) — and whether the bot can stop
following it. Unknown statuses count as "pending" and are kept verbatim, so a new status on a
portal never stops the follow-up silently."""
from __future__ import annotations

from dataclasses import dataclass

PENDING = "pending"  # on its way or waiting for the buyer
ACCEPTED = "accepted"  # approved / "service fait": payment will follow
PAID = "paid"
REJECTED = "rejected"
SUSPENDED = "suspended"  # the buyer waits for something from us
SENT = "sent"  # e-mail and letter: nothing comes back

FINAL = frozenset({PAID, REJECTED, SUSPENDED, SENT})
NEEDS_A_PERSON = frozenset({REJECTED, SUSPENDED})

PORTAL_OUTCOMES = {"received": PENDING, "approved": ACCEPTED, "paid": PAID, "rejected": REJECTED}
CHORUS_FLOW_OUTCOMES = {"IN_RECU": PENDING, "IN_EN_COURS_TRAITEMENT_CPP": PENDING, "IN_INTEGRE": PENDING,
                        "IN_INTEGRE_PARTIEL": PENDING, "IN_REJETE": REJECTED}
CHORUS_INVOICE_OUTCOMES = {
    "DEPOSEE": PENDING, "EN_COURS_ACHEMINEMENT": PENDING, "MISE_A_DISPOSITION": PENDING,
    "SERVICE_FAIT": ACCEPTED, "MANDATEE": ACCEPTED, "MISE_EN_PAIEMENT": PAID,
    "REJETEE": REJECTED, "SUSPENDUE": SUSPENDED,
}


@dataclass(frozen=True)
class StatusUpdate:
    status: str  # the channel's own word for it
    outcome: str  # one of the constants above
    reason: str | None = None  # the buyer's comment, when it gave one

    @property
    def final(self) -> bool:
        return self.outcome in FINAL


def portal_status(status: str, reason: str | None = None) -> StatusUpdate:
    return StatusUpdate(status, PORTAL_OUTCOMES.get(status.strip().lower(), PENDING), reason or None)


def chorus_flow_status(state: str, reason: str | None = None) -> StatusUpdate:
    return StatusUpdate(state, CHORUS_FLOW_OUTCOMES.get(state, PENDING), reason or None)


def chorus_invoice_status(code: str, comment: str | None = None) -> StatusUpdate:
    return StatusUpdate(code, CHORUS_INVOICE_OUTCOMES.get(code, PENDING), comment or None)
