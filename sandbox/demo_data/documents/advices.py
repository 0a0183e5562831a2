"""Which payments come with a remittance advice, and what each advice says.

A payer's accounts-payable system decides the layout: large accounts send PDF tables from their
ERP (two systems, two layouts) or Excel sheets, SMEs write a mail or a letter, foreign customers
send Excel sheets or PDFs in English, the public Treasury sends a letter ("avis de paiement").
The advice reflects the payment as the books explain it: one transfer for several invoices,
credit notes netted, early-payment discounts, short payments, instalments; bank fees taken on
the way are not on it (the advice states what the payer sent, the bank what arrived). Invoice
numbers are sometimes written with typos, reformatted, or not at all.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sandbox.demo_data.documents.book import Book, Party, PaymentView

ZERO = Decimal("0.00")
FORMATS = {"pdf_table_boxed": "pdf", "pdf_table_ledger": "pdf", "pdf_letter": "pdf", "xlsx": "xlsx",
           "mail_body": "mail_body"}
# segment of the paying entity -> (chance it sends an advice, layouts and weights)
AP_HABITS = {
    "large_account": (0.95, {"pdf_table_boxed": 40, "pdf_table_ledger": 35, "xlsx": 25}),
    "sme": (0.45, {"mail_body": 50, "pdf_letter": 30, "xlsx": 20}),
    "foreign": (0.8, {"xlsx": 40, "pdf_table_ledger": 30, "mail_body": 30}),
    "public_body": (0.4, {"pdf_letter": 100}),
}
# the first payers of a segment (by customer code) take these, so that a small demo has them all
FIRST_LAYOUTS = {"large_account": ("pdf_table_boxed", "pdf_table_ledger", "xlsx"),
                 "sme": ("mail_body", "pdf_letter", "xlsx"), "foreign": ("xlsx", "pdf_table_ledger")}
NOISE_WEIGHTS = {"exact": 85, "reformatted": 5, "typo": 7, "missing": 3}


@dataclass(frozen=True)
class Payer:
    """The entity whose accounts-payable department sent the advice, and its habits."""

    code: str  # the customer code of the paying entity (the parent when a group pays)
    name: str
    address: dict
    language: str
    layout: str
    style: str  # a variant within the layout (mail wording, letter wording)
    supplier_number: str  # our vendor number in their AP system
    sender_name: str
    sender_address: str
    automated: bool  # sent by the AP system rather than by a person


@dataclass(frozen=True)
class AdviceLine:
    invoice: str  # the true document number
    written_as: str | None  # as printed; None when the payer gave no number
    noise: str  # exact, reformatted, typo, missing
    payer_reference: str  # the payer's own document number for it
    po_number: str | None
    kind: str  # invoice or credit_note
    invoice_date: date
    gross: Decimal  # the document's total, negative for a credit note
    allocated: Decimal  # what the payment clears on it (a part of it for an instalment)
    discount: Decimal  # early-payment discount taken
    deduction: Decimal  # amount withheld (short payment)

    @property
    def paid(self) -> Decimal:
        return self.allocated - self.discount - self.deduction


@dataclass(frozen=True)
class Advice:
    advice_id: str
    payment: PaymentView
    payer: Payer
    on_behalf_of: str | None  # the subsidiary a group pays for
    payment_reference: str
    payment_date: date
    lines: tuple[AdviceLine, ...]
    bank_fees: Decimal  # taken by the banks between the payer and us; not on the advice
    password: str | None = None  # the PDF is encrypted with it

    @property
    def total(self) -> Decimal:
        return sum((line.paid for line in self.lines), ZERO)

    @property
    def language(self) -> str:
        return self.payer.language

    @property
    def layout(self) -> str:
        return self.payer.layout

    @property
    def format(self) -> str:
        return FORMATS[self.payer.layout]

    @property
    def file_name(self) -> str | None:
        """Where the advice's own file is written, under the documents folder."""
        extension = {"pdf": "pdf", "xlsx": "xlsx"}.get(self.format)
        return f"remittances/{self.advice_id}.{extension}" if extension else None

    def truth(self) -> dict:
        return {
            "remittance_id": self.advice_id, "payment_id": self.payment.payment_id, "payer_code": self.payer.code,
            "layout": self.layout, "format": self.format, "language": self.language, "file": self.file_name,
            "encrypted": self.password is not None, "password": self.password,
            "fields": {
                "payer": self.payer.name, "on_behalf_of": self.on_behalf_of,
                "payment_reference": self.payment_reference, "payment_date": self.payment_date.isoformat(),
                "currency": "EUR", "total": str(self.total),
                "invoices": [
                    {"invoice": line.invoice, "written_as": line.written_as, "noise": line.noise,
                     "amount": str(line.paid), "gross": str(line.gross), "discount": str(line.discount),
                     "deduction": str(line.deduction)}
                    for line in self.lines
                ],
            },
            "bank_fees": str(self.bank_fees), "amount_received": str(self.payment.amount),
        }


def _payer(book: Book, party: Party, payment: PaymentView) -> Payer:
    """The paying entity's AP habits, drawn once per entity (same payer, same layout)."""
    rng = book.rng(f"ap {party.code}")
    _, layouts = AP_HABITS[party.segment]
    layout = rng.choices(list(layouts), weights=list(layouts.values()))[0]
    rank = [p.code for p in book.parties.values() if p.segment == party.segment].index(party.code)
    if rank < len(FIRST_LAYOUTS.get(party.segment, ())):
        layout = FIRST_LAYOUTS[party.segment][rank]
    language = party.language
    if party.segment == "large_account" and rng.random() < 0.15:
        language = "en"  # a shared service centre abroad
    supplier_number = party.record["portal_supplier_id"] or f"F{rng.randint(100000, 999999)}"
    style = rng.choice(("list", "columns", "html")) if layout == "mail_body" else rng.choice(("a", "b"))
    if party.segment == "public_body":
        treasury = payment.bank["payer_name"]
        slug = re.sub(r"[^a-z0-9]+", ".", treasury.lower()).strip(".")
        return Payer(party.code, treasury, party.record["address"], "fr", "pdf_letter", "treasury",
                     supplier_number, f"{treasury} - Service de gestion comptable",
                     f"{slug}@dgfip.finances.example", True)
    automated = layout in ("pdf_table_boxed", "pdf_table_ledger") or (layout == "xlsx" and rng.random() < 0.5)
    if automated:
        sender = (f"{party.name} - {'Accounts Payable' if language == 'en' else 'Comptabilité fournisseurs'}",
                  f"noreply.ap@{party.domain}")
    else:
        person = party.contact[0] if rng.random() < 0.5 else rng.choice(
            ("Sophie Lambert", "Nicolas Girard", "Claire Dubois", "Thomas Leroy", "Julie Moreau"))
        box = "accounts.payable" if language == "en" else "comptabilite.fournisseurs"
        sender = (person, f"{box}@{party.domain}")
    return Payer(party.code, party.name, party.record["address"], language, layout, style,
                 supplier_number, sender[0], sender[1], automated)


def typo(number: str, rng: random.Random) -> str:
    """A keying mistake: two neighbouring digits swapped, or one dropped or doubled."""
    digits = [i for i, c in enumerate(number) if c.isdigit()]
    for _ in range(10):
        i = rng.choice(digits[:-1])
        kind = rng.choice(("swap", "drop", "double"))
        if kind == "swap" and number[i + 1].isdigit():
            candidate = number[:i] + number[i + 1] + number[i] + number[i + 2:]
        elif kind == "drop":
            candidate = number[:i] + number[i + 1:]
        else:
            candidate = number[:i] + number[i] + number[i:]
        if candidate != number:
            return candidate
    return number[:-1]


def reformat(number: str, rng: random.Random) -> str:
    """The same number as another system stores it: "FA2026-00042" -> "FA 2026 00042", "2026-00042"…"""
    prefix, year, sequence = re.match(r"([A-Z]+)(\d{4})-(\d+)", number).groups()
    return rng.choice((f"{prefix} {year} {sequence}", f"{year}-{sequence}", f"{prefix}{year}{sequence}",
                       f"{prefix.lower()}{year}/{sequence}", f"{prefix}-{year}-{sequence}"))


def _written(number: str, rng: random.Random) -> tuple[str | None, str]:
    noise = rng.choices(list(NOISE_WEIGHTS), weights=list(NOISE_WEIGHTS.values()))[0]
    if noise == "typo":
        return typo(number, rng), noise
    if noise == "reformatted":
        return reformat(number, rng), noise
    if noise == "missing":
        return None, noise
    return number, noise


def _lines(book: Book, payment: PaymentView, rng: random.Random) -> tuple[list[AdviceLine], Decimal]:
    write_offs: dict[str, dict[str, Decimal]] = {}
    for w in payment.truth["write_offs"]:
        write_offs.setdefault(w["invoice"], {})[w["reason"]] = Decimal(w["amount"])
    lines, fees = [], ZERO
    for allocation in payment.truth["allocations"]:
        document = book.documents[allocation["invoice"]]
        taken = write_offs.get(allocation["invoice"], {})
        fees += taken.get("bank_fees", ZERO)
        sign = -1 if document["kind"] == "credit_note" else 1
        written_as, noise = _written(document["number"], rng)
        lines.append(AdviceLine(
            invoice=document["number"], written_as=written_as, noise=noise,
            payer_reference=f"51{rng.randint(10**7, 10**8 - 1)}", po_number=document["po_number"],
            kind=document["kind"], invoice_date=date.fromisoformat(document["issue_date"]),
            gross=sign * Decimal(document["total_gross"]), allocated=Decimal(allocation["amount"]),
            discount=taken.get("early_payment_discount", ZERO), deduction=taken.get("short_payment", ZERO),
        ))
    return lines, fees


def _payment_reference(payment: PaymentView, payer: Payer, rng: random.Random) -> str:
    """The reference the payer gives its transfer: the end-to-end id the bank also shows, when
    there is one, else its own payment number that only the advice carries."""
    end_to_end = payment.bank["end_to_end_id"]
    if end_to_end != "NOTPROVIDED":
        return end_to_end
    if payer.layout == "pdf_table_boxed":
        return f"20{rng.randint(10**7, 10**8 - 1)}"
    return f"PAY-{payment.date:%Y}-{rng.randint(1, 99999):05d}"


def plan_advices(book: Book) -> list[Advice]:
    """The remittance advices the payers sent, numbered RA-00001… in payment order."""
    rng = book.rng("advices")
    advices: list[Advice] = []
    for payment in book.payments:
        party = book.parties[payment.truth["customer_code"]]
        paying = book.parties[party.truth["parent_code"]] if payment.truth["paid_by_parent"] else party
        chance, _ = AP_HABITS[paying.segment]
        draw = rng.random()
        if payment.truth["remittance_noise"] != "see_advice" and draw >= chance:
            continue
        payer = _payer(book, paying, payment)
        lines, fees = _lines(book, payment, rng)
        advices.append(Advice(
            advice_id=f"RA-{len(advices) + 1:05d}", payment=payment, payer=payer,
            on_behalf_of=party.name if paying is not party else None,
            payment_reference=_payment_reference(payment, payer, rng), payment_date=payment.date,
            lines=tuple(lines), bank_fees=fees,
        ))
    return _encrypt_one(advices, rng)


def _encrypt_one(advices: list[Advice], rng: random.Random) -> list[Advice]:
    """Some AP systems protect their PDFs with our supplier number as the password: one PDF
    table advice, drawn at random, is sent encrypted."""
    candidates = [i for i, a in enumerate(advices) if a.layout.startswith("pdf_table")]
    if not candidates:
        return advices
    index = candidates[rng.randrange(len(candidates))]
    advices[index] = replace(advices[index], password=advices[index].payer.supplier_number)
    return advices
