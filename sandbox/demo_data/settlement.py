"""How each invoice gets paid, by the customer's behaviour, and the bank payments that result.

Behaviours: punctual (around the due date; some SMEs take a 2 % early-payment discount),
chronically late (15 to 75 days late), deteriorating (later and later over the year), disputing
(a third of their invoices disputed: settled by a credit note netted in the payment, paid short
and written off, or still open). Large accounts pay in runs on the 10th and 25th, one transfer
for several invoices; public bodies are paid by the Treasury (DDFIP, Banque de France IBAN);
foreign customers' transfers arrive less bank fees; a group often pays for its subsidiary; some
SMEs pay in two instalments.

Allocations follow the ERP's model: an allocation is what the payment clears on an item (signed
like the item), a write-off the part of it the customer did not pay, so
amount = sum(allocations) - sum(write-offs).
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sandbox.demo_data.customers import Profile
from sandbox.demo_data.invoices import Draft, credit_note_for, next_weekday, number_documents
from sandbox.demo_data.money import cents, to_json

UNAPPLIED_DAYS = 10  # payments of the last days are on the bank statements, not yet keyed in the ERP
DISPUTE_REASONS = ("quantity", "price", "quality", "not_received")
DISPUTE_COMMENTS = {
    "quantity": "Quantités livrées inférieures à la facture selon le client.",
    "price": "Prix unitaire différent de la commande.",
    "quality": "Pièces défectueuses signalées à la réception.",
    "not_received": "Prestation non constatée par le service.",
}
ZERO = Decimal("0.00")


@dataclass
class Line:
    invoice: Draft
    allocate: Decimal
    write_off: Decimal = ZERO
    reason: str | None = None


@dataclass
class Piece:
    """Part of a customer's settlement: one transfer's worth for one or several items."""

    profile: Profile
    pay_date: date
    lines: list[Line]


@dataclass
class Payment:
    payment_id: str
    profile: Profile
    date: date
    payer_name: str
    payer_iban: str
    payer_bic: str
    lines: list[Line]
    by_parent: bool
    bank_reference: str = ""
    end_to_end_id: str = ""
    remittance_info: str = ""
    remittance_noise: str = ""

    @property
    def amount(self) -> Decimal:
        return sum((line.allocate for line in self.lines), ZERO) - sum((line.write_off for line in self.lines), ZERO)


def _delay(rng: random.Random, profile: Profile, invoice: Draft, start: date) -> int:
    if profile.behaviour == "punctual":
        return rng.randint(-4, 3)
    if profile.behaviour == "chronically_late":
        return rng.randint(15, 75)
    if profile.behaviour == "deteriorating":
        progress = (invoice.issue_date - start).days / 365
        return int(progress * progress * 120) + rng.randint(-5, 10)
    return rng.randint(0, 25)


def _dispute(rng: random.Random, invoice: Draft, opened: date, as_of: date, resolved: date | None) -> None:
    """Flag the invoice as disputed if the dispute is open on ``as_of``."""
    if opened <= as_of and (resolved is None or resolved > as_of):
        reason = rng.choice(DISPUTE_REASONS)
        invoice.dispute = {"reason": reason, "opened_on": opened.isoformat(), "comment": DISPUTE_COMMENTS[reason]}


def plan_invoice(rng: random.Random, invoice: Draft, start: date, as_of: date) -> tuple[list[Piece], list[Draft]]:
    """The pieces that will pay the invoice (some maybe after ``as_of``) and any credit note issued."""
    profile = invoice.profile
    gross = invoice.totals.gross
    pay_date = next_weekday(invoice.due_date + timedelta(days=_delay(rng, profile, invoice, start)))
    if profile.early_discount and rng.random() < 0.6:
        invoice.tags.append("early_payment_discount")
        discount = cents(gross * Decimal("0.02"))
        pay = next_weekday(invoice.issue_date + timedelta(days=rng.randint(5, 9)))
        return [Piece(profile, pay, [Line(invoice, gross, discount, "early_payment_discount")])], []
    if profile.behaviour == "disputing" and rng.random() < 0.35:
        opened = invoice.issue_date + timedelta(days=rng.randint(5, 20))
        outcome = rng.choices(("credit_note", "short_payment", "open"), weights=(40, 30, 30))[0]
        invoice.tags.append(f"dispute_{outcome}")
        if outcome == "credit_note":
            issued = next_weekday(opened + timedelta(days=rng.randint(10, 30)))
            if issued <= as_of:
                note = credit_note_for(rng, invoice, issued)
                pay = max(pay_date, next_weekday(issued + timedelta(days=rng.randint(5, 25))))
                _dispute(rng, invoice, opened, as_of, issued)
                return [Piece(profile, pay, [Line(invoice, gross), Line(note, note.signed_gross)])], [note]
            outcome = "open"
        if outcome == "short_payment":
            paid = cents(gross * Decimal(rng.choice(("0.90", "0.93", "0.95", "0.97"))))
            pay = next_weekday(pay_date + timedelta(days=rng.randint(10, 40)))
            _dispute(rng, invoice, opened, as_of, pay)
            return [Piece(profile, pay, [Line(invoice, gross, gross - paid, "short_payment")])], []
        _dispute(rng, invoice, opened, as_of, None)
        return [], []
    if profile.segment == "sme" and profile.behaviour in ("chronically_late", "deteriorating") and rng.random() < 0.15:
        invoice.tags.append("instalments")
        first = cents(gross / 2)
        return [Piece(profile, pay_date, [Line(invoice, first)]),
                Piece(profile, next_weekday(pay_date + timedelta(days=30)), [Line(invoice, gross - first)])], []
    return [Piece(profile, pay_date, [Line(invoice, gross)])], []


def _payment_run(day: date) -> date:
    """Large accounts pay on the 10th and the 25th (next weekday)."""
    for run_day in (10, 25):
        if day.day <= run_day:
            return next_weekday(day.replace(day=run_day))
    following = (day.replace(day=1) + timedelta(days=32)).replace(day=10)
    return next_weekday(following)


def group_payments(rng: random.Random, pieces: list[Piece]) -> list[Payment]:
    """Transfers as the bank will show them: runs grouped for large accounts, the group paying for
    some subsidiaries, bank fees taken off foreign transfers."""
    grouped: dict[tuple, Payment] = {}
    order: list[tuple] = []
    for piece in sorted(pieces, key=lambda p: (p.pay_date, p.profile.code)):
        profile = piece.profile
        by_parent = profile.parent is not None and rng.random() < 0.6
        payer = profile.parent if by_parent else profile
        pay_date = _payment_run(piece.pay_date) if profile.batch_payments else piece.pay_date
        key = (profile.code, pay_date, by_parent, len(order) if not profile.batch_payments else 0)
        if key not in grouped:
            grouped[key] = Payment("", profile, pay_date, payer.payer_name, payer.payer_iban, payer.payer_bic, [],
                                   by_parent)
            order.append(key)
        grouped[key].lines.extend(piece.lines)
    payments = sorted((grouped[k] for k in order), key=lambda p: (p.date, p.profile.code, p.lines[0].invoice.number))
    for payment in payments:
        fee = payment.profile.bank_fee
        if fee:
            candidates = [line for line in payment.lines if line.write_off == 0 and line.allocate > fee * 2]
            if candidates:
                line = max(candidates, key=lambda candidate: candidate.allocate)
                line.write_off, line.reason = fee, "bank_fees"
    return payments


def _typo(rng: random.Random, number: str) -> str:
    digits = [i for i, c in enumerate(number) if c.isdigit()]
    kind = rng.choice(("drop_dash", "swap", "no_prefix"))
    if kind == "drop_dash":
        return number.replace("-", "")
    if kind == "no_prefix":
        return re.sub(r"^[A-Z]+", "", number)
    i = rng.choice(digits[:-1])
    chars = list(number)
    chars[i], chars[i + 1] = chars[i + 1], chars[i]
    swapped = "".join(chars)
    return swapped if swapped != number else number.replace("-", " ")


def describe(rng: random.Random, payment: Payment, sequence: int) -> None:
    """The bank reference, the payer's end-to-end id and the remittance text, with the noise real
    transfers carry (typos, missing references, "see advice" for long runs)."""
    payment.bank_reference = f"BR{payment.date:%Y%m%d}{sequence:05d}"
    numbers = [line.invoice.number for line in payment.lines]
    profile = payment.profile
    if profile.segment == "public_body":
        mandate = f"MDT{payment.date:%Y}-{rng.randint(1000, 99999):06d}"
        payment.end_to_end_id = mandate
        payment.remittance_info = f"{mandate} {profile.record['legal_name'].upper()} FACT {' '.join(numbers)}"
        payment.remittance_noise = "exact"
    elif len(numbers) > 4:
        payment.end_to_end_id = f"RUN{payment.date:%Y%m%d}{rng.randint(100, 999)}"
        payment.remittance_info = f"PAIEMENT FOURNISSEURS DU {payment.date:%d/%m/%Y} VOIR AVIS"
        payment.remittance_noise = "see_advice"
    else:
        payment.end_to_end_id = rng.choice(("NOTPROVIDED", f"E2E{rng.randint(10**8, 10**9 - 1)}"))
        noise = rng.choices(("exact", "prefixed", "typo", "missing"), weights=(55, 15, 15, 15))[0]
        if noise == "exact":
            text = " ".join(numbers)
        elif noise == "prefixed":
            text = f"REGLEMENT FACT {' '.join(numbers)}"
        elif noise == "typo":
            text = "FACT " + " ".join(_typo(rng, n) if i == 0 else n for i, n in enumerate(numbers))
        else:
            text = rng.choice(("VIREMENT FOURNISSEUR", f"VIR {payment.payer_name}", "PAIEMENT FACTURES"))
        if payment.by_parent:
            text += f" POUR {profile.record['legal_name'].upper()}"
        payment.remittance_info, payment.remittance_noise = text, noise
    payment.remittance_info = payment.remittance_info[:140]


def settle(
    rng: random.Random, invoices: list[Draft], start: date, as_of: date
) -> tuple[list[Payment], list[Draft], dict]:
    """Payments received up to ``as_of``, the credit notes issued, and the promises to pay
    ({invoice number: (date, amount)}) of late payers whose transfer comes after ``as_of``."""
    pieces: list[Piece] = []
    credit_notes: list[Draft] = []
    for invoice in invoices:
        planned, notes = plan_invoice(rng, invoice, start, as_of)
        pieces += planned
        credit_notes += notes
    number_documents(credit_notes, "AV")
    every_payment = group_payments(rng, pieces)
    payments = [p for p in every_payment if p.date <= as_of]
    for index, payment in enumerate(payments, start=1):
        payment.payment_id = f"PMT-{index:06d}"
        describe(rng, payment, index)
    paid = _received_by_invoice(payments)
    promises: dict[str, tuple[date, Decimal]] = {}
    for payment in every_payment:
        if payment.date <= as_of:
            continue
        for line in payment.lines:
            invoice = line.invoice
            if (invoice.kind == "invoice" and invoice.profile.behaviour in ("chronically_late", "deteriorating")
                    and invoice.due_date < as_of and invoice.dispute is None and invoice.number not in promises
                    and rng.random() < 0.3):
                remaining = invoice.totals.gross - paid.get(invoice.number, ZERO)
                promises[invoice.number] = (min(payment.date, as_of + timedelta(days=14)), remaining)
    return payments, credit_notes, promises


def _received_by_invoice(payments: list[Payment]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for payment in payments:
        for line in payment.lines:
            totals[line.invoice.number] = totals.get(line.invoice.number, ZERO) + line.allocate
    return totals


def is_applied(payment: Payment, as_of: date) -> bool:
    return payment.date <= as_of - timedelta(days=UNAPPLIED_DAYS)


def payment_json(payment: Payment, as_of: date) -> dict:
    return {
        "payment_id": payment.payment_id, "date": payment.date.isoformat(), "amount": to_json(payment.amount),
        "currency": "EUR", "payer_name": payment.payer_name, "payer_iban": payment.payer_iban,
        "payer_bic": payment.payer_bic, "bank_reference": payment.bank_reference,
        "end_to_end_id": payment.end_to_end_id, "remittance_info": payment.remittance_info,
        "applied_in_erp": is_applied(payment, as_of),
    }


def allocations_json(payment: Payment) -> dict:
    return {
        "allocations": [{"invoice": line.invoice.number, "amount": to_json(line.allocate)} for line in payment.lines],
        "write_offs": [{"invoice": line.invoice.number, "amount": to_json(line.write_off), "reason": line.reason}
                       for line in payment.lines if line.write_off],
    }
