"""What a supplier sees of its flows and invoices at a given time, shared by the API and the portal:
a flow's state so far, and only the invoices whose flow has been integrated, with their history."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sandbox.app_clock import PARIS
from sandbox.chorus_pro.models import Flow, Invoice
from sandbox.chorus_pro.timeline import Step, flow_state, integration_time, invoice_history


@dataclass(frozen=True)
class InvoiceView:
    invoice: Invoice
    history: list[Step]  # oldest first, never empty

    @property
    def status(self) -> Step:
        return self.history[-1]

    @property
    def deposit_date(self) -> date:
        return self.invoice.flow.deposited_at.astimezone(PARIS).date()


def state_of(flow: Flow, now: datetime) -> Step:
    return flow_state(flow.deposited_at, flow.outcome, now, current_app.config["FLOW_DELAYS"])


def view_of(invoice: Invoice, now: datetime) -> InvoiceView | None:
    """The invoice as its supplier sees it, or None while its flow is not integrated yet."""
    integrated_at = integration_time(invoice.flow.deposited_at, current_app.config["FLOW_DELAYS"])
    history = invoice_history(integrated_at, invoice.lifecycle, now, current_app.config["INVOICE_DELAYS"])
    return InvoiceView(invoice, history) if history else None


def supplier_flows(session: Session, supplier_siret: str) -> list[Flow]:
    """The supplier's flows, newest first."""
    return list(session.scalars(
        select(Flow).where(Flow.supplier_siret == supplier_siret).order_by(Flow.id.desc())))


def supplier_invoices(session: Session, supplier_siret: str, now: datetime) -> list[InvoiceView]:
    """The supplier's integrated invoices, newest deposit first."""
    invoices = session.scalars(
        select(Invoice).where(Invoice.supplier_siret == supplier_siret)
        .options(selectinload(Invoice.flow), selectinload(Invoice.buyer))
        .order_by(Invoice.id.desc()))
    views = (view_of(invoice, now) for invoice in invoices)
    return [view for view in views if view is not None]


def find_invoice(session: Session, supplier_siret: str, invoice_id: int, now: datetime) -> InvoiceView | None:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.supplier_siret != supplier_siret:
        return None
    return view_of(invoice, now)
