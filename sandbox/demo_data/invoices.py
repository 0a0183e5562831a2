"""Twelve months of invoices per customer, with due dates from its terms, PO numbers for the
customers that order through a portal, commitment numbers and service codes for public bodies;
and the credit notes that settle some disputes."""
from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sandbox.demo_data.catalogue import draw_lines
from sandbox.demo_data.customers import Profile
from sandbox.demo_data.money import to_json
from sandbox.erp.totals import Totals, invoice_totals

MONTHLY_INVOICES = {"large_account": (2, 4), "sme": (0, 2), "public_body": (0, 2), "foreign": (0, 1)}


@dataclass
class Draft:
    """An invoice or credit note being generated; ``record()`` is its ERP seed form."""

    kind: str
    profile: Profile
    issue_date: date
    due_date: date
    lines: list[dict]
    po_number: str | None = None
    commitment_number: str | None = None
    service_code: str | None = None
    credited: Draft | None = None
    number: str = ""
    dispute: dict | None = None
    promise: dict | None = None
    tags: list[str] = field(default_factory=list)

    @property
    def totals(self) -> Totals:
        return invoice_totals(
            (Decimal(line["quantity"]), Decimal(line["unit_price"]), Decimal(line["vat_rate"])) for line in self.lines
        )

    @property
    def signed_gross(self) -> Decimal:
        return -self.totals.gross if self.kind == "credit_note" else self.totals.gross

    def record(self) -> dict:
        totals = self.totals
        return {
            "number": self.number, "kind": self.kind, "customer_code": self.profile.code,
            "issue_date": self.issue_date.isoformat(), "due_date": self.due_date.isoformat(), "currency": "EUR",
            "po_number": self.po_number, "commitment_number": self.commitment_number,
            "service_code": self.service_code, "credited_invoice": self.credited.number if self.credited else None,
            "lines": self.lines, "total_net": to_json(totals.net), "total_vat": to_json(totals.vat),
            "total_gross": to_json(totals.gross), "dispute": self.dispute, "promise_to_pay": self.promise,
        }


def due_date(issue: date, days: int, end_of_month: bool) -> date:
    """Net terms, or "45 days end of month": the end of the month in which issue + days falls."""
    due = issue + timedelta(days=days)
    if end_of_month:
        due = due.replace(day=calendar.monthrange(due.year, due.month)[1])
    return due


def next_weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _months(start: date, end: date) -> list[tuple[int, int]]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def make_invoices(rng: random.Random, profiles: list[Profile], start: date, as_of: date) -> list[Draft]:
    """Invoices issued on weekdays between ``start`` and ``as_of``, numbered FA<year>-<seq> in date order."""
    drafts: list[Draft] = []
    po_counter = {"portal_a": 4500100000, "portal_b": 7100000, "email": 1000}
    for profile in profiles:
        record = profile.record
        low, high = MONTHLY_INVOICES[profile.segment]
        vat_rate = Decimal("0.00") if profile.segment == "foreign" else Decimal("20.00")
        terms = record["payment_terms"]
        for year, month in _months(start, as_of):
            last = calendar.monthrange(year, month)[1]
            for _ in range(rng.randint(low, high)):
                issue = next_weekday(date(year, month, rng.randint(1, last)))
                if not start <= issue <= as_of:
                    continue
                draft = Draft("invoice", profile, issue, due_date(issue, terms["days"], terms["end_of_month"]),
                              draw_lines(rng, profile.segment, vat_rate))
                channel = record["invoice_channel"]
                if channel in ("portal_a", "portal_b") or (channel == "email" and profile.segment == "large_account"
                                                           and rng.random() < 0.5):
                    po_counter[channel] += rng.randint(1, 40)
                    draft.po_number = {"portal_a": str(po_counter["portal_a"]),
                                       "portal_b": f"PO-{po_counter['portal_b']}",
                                       "email": f"BC-{year}-{po_counter['email']}"}[channel]
                if profile.structure is not None:
                    if profile.structure["commitment_required"] or rng.random() < 0.3:
                        draft.commitment_number = f"EJ{rng.randint(10**9, 10**10 - 1)}"
                    draft.service_code = record["chorus_service_code"]
                drafts.append(draft)
    drafts.sort(key=lambda d: (d.issue_date, d.profile.code))
    number_documents(drafts, "FA")
    return drafts


def number_documents(drafts: list[Draft], prefix: str) -> None:
    """Number in date order, one sequence per year: FA2026-00001, AV2026-00001…"""
    sequence: dict[int, int] = {}
    for draft in sorted(drafts, key=lambda d: (d.issue_date, d.profile.code)):
        sequence[draft.issue_date.year] = sequence.get(draft.issue_date.year, 0) + 1
        draft.number = f"{prefix}{draft.issue_date.year}-{sequence[draft.issue_date.year]:05d}"


def credit_note_for(rng: random.Random, invoice: Draft, issue: date) -> Draft:
    """A credit note taking back part of the invoice's first line (a quantity or price dispute)."""
    line = invoice.lines[0]
    quantity = Decimal(line["quantity"])
    if quantity > 1:
        share = Decimal(rng.choice(("0.2", "0.25", "0.5")))
        credited_quantity = max(Decimal(1), (quantity * share).to_integral_value())
        credited = {**line, "quantity": str(credited_quantity)}
    else:
        share = Decimal(rng.choice(("0.10", "0.15", "0.20")))
        credited = {**line, "unit_price": to_json(Decimal(line["unit_price"]) * share)}
    credited["description"] = f"Avoir sur {invoice.number} - {line['description']}"
    return Draft("credit_note", invoice.profile, issue, issue, [credited], po_number=invoice.po_number,
                 commitment_number=invoice.commitment_number, service_code=invoice.service_code, credited=invoice)
