"""Where a flow and an invoice stand at a given time: pure functions of the deposit time, the
decision taken at reception, the buyer's behaviour and the clock.

A flow is ``IN_RECU`` on deposit, ``IN_EN_COURS_TRAITEMENT_CPP`` after ``processing`` seconds and
reaches its decided state (``IN_INTEGRE``, ``IN_INTEGRE_PARTIEL`` or ``IN_REJETE``) after
``integration`` seconds. An integrated invoice is ``DEPOSEE`` at integration, then
``EN_COURS_ACHEMINEMENT`` and ``MISE_A_DISPOSITION``; at ``decision`` the buyer decides according
to its ``lifecycle``: ``paid`` (``SERVICE_FAIT``, later ``MANDATEE`` then ``MISE_EN_PAIEMENT``),
``suspended`` (``SUSPENDUE``, waiting for a missing document) or ``rejected`` (``REJETEE``).
Every delay counts in seconds from the integration and is configurable.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_FLOW_DELAYS = {"processing": 10, "integration": 60}
DEFAULT_INVOICE_DELAYS = {
    "EN_COURS_ACHEMINEMENT": 60,
    "MISE_A_DISPOSITION": 300,
    "decision": 3600,
    "MANDATEE": 86400,
    "MISE_EN_PAIEMENT": 172800,
}
LIFECYCLES = ("paid", "suspended", "rejected")

FLOW_STATE_LABELS = {
    "IN_RECU": "Reçu",
    "IN_EN_COURS_TRAITEMENT_CPP": "En cours de traitement",
    "IN_INTEGRE": "Intégré",
    "IN_INTEGRE_PARTIEL": "Intégré partiellement",
    "IN_REJETE": "Rejeté",
}
INVOICE_STATUS_LABELS = {
    "DEPOSEE": "Déposée",
    "EN_COURS_ACHEMINEMENT": "En cours d'acheminement",
    "MISE_A_DISPOSITION": "Mise à disposition du destinataire",
    "SUSPENDUE": "Suspendue",
    "REJETEE": "Rejetée",
    "SERVICE_FAIT": "Service fait",
    "MANDATEE": "Mandatée",
    "MISE_EN_PAIEMENT": "Mise en paiement",
}
DECISION_COMMENTS = {
    "SUSPENDUE": "Facture suspendue : pièce justificative manquante (bon de livraison ou procès-verbal "
    "de réception). Merci de compléter la facture.",
    "REJETEE": "Facture rejetée par le destinataire : les données de facturation ne correspondent pas "
    "à l'engagement juridique. Merci d'émettre une nouvelle facture.",
}
FINAL_FLOW_STATES = ("IN_INTEGRE", "IN_INTEGRE_PARTIEL", "IN_REJETE")


@dataclass(frozen=True)
class Step:
    code: str
    at: datetime
    comment: str = ""


def integration_time(deposited_at: datetime, flow_delays: dict[str, float]) -> datetime:
    """When a flow deposited at ``deposited_at`` reaches its final state."""
    return deposited_at + timedelta(seconds=flow_delays["integration"])


def flow_state(deposited_at: datetime, outcome: str, now: datetime, flow_delays: dict[str, float]) -> Step:
    """The flow's current state and since when."""
    final_at = integration_time(deposited_at, flow_delays)
    processing_at = deposited_at + timedelta(seconds=flow_delays["processing"])
    if now >= final_at:
        return Step(outcome, final_at)
    if now >= processing_at:
        return Step("IN_EN_COURS_TRAITEMENT_CPP", processing_at)
    return Step("IN_RECU", deposited_at)


def invoice_history(integrated_at: datetime, lifecycle: str, now: datetime, delays: dict[str, float]) -> list[Step]:
    """The statuses an invoice has gone through by ``now``, oldest first (empty before integration)."""
    if lifecycle not in LIFECYCLES:
        raise ValueError(f"unknown lifecycle {lifecycle!r}")
    plan = [("DEPOSEE", 0.0), ("EN_COURS_ACHEMINEMENT", delays["EN_COURS_ACHEMINEMENT"]),
            ("MISE_A_DISPOSITION", delays["MISE_A_DISPOSITION"])]
    if lifecycle == "paid":
        plan += [("SERVICE_FAIT", delays["decision"]), ("MANDATEE", delays["MANDATEE"]),
                 ("MISE_EN_PAIEMENT", delays["MISE_EN_PAIEMENT"])]
    else:
        plan.append(("SUSPENDUE" if lifecycle == "suspended" else "REJETEE", delays["decision"]))
    steps = []
    for code, after in plan:
        at = integrated_at + timedelta(seconds=after)
        if at > now:
            break
        steps.append(Step(code, at, DECISION_COMMENTS.get(code, "")))
    return steps
