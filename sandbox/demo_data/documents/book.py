"""The demo company as the document generator reads it: the generator's JSON (``generate()``'s
output) indexed by customer, invoice and payment, with each payment joined to its ground truth.

The documents are cut from this JSON only, never from the generator's internal objects, so
whatever the documents say can be checked against the JSON a benchmark reads."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property


@dataclass(frozen=True)
class Party:
    """Who a customer is in the documents: its ERP record and its ground-truth profile."""

    record: dict
    truth: dict

    @property
    def code(self) -> str:
        return self.record["code"]

    @property
    def name(self) -> str:
        return self.record["legal_name"]

    @property
    def segment(self) -> str:
        return self.truth["segment"]

    @property
    def language(self) -> str:
        return self.record["dunning_language"]

    @property
    def domain(self) -> str:
        return self.record["dunning_contact"]["email"].partition("@")[2]

    @property
    def contact(self) -> tuple[str, str]:
        contact = self.record["dunning_contact"]
        return contact["name"], contact["email"]


@dataclass(frozen=True)
class PaymentView:
    """A payment as the bank saw it (``bank``) and as the books explain it (``truth``)."""

    bank: dict
    truth: dict

    @property
    def payment_id(self) -> str:
        return self.bank["payment_id"]

    @property
    def date(self) -> date:
        return date.fromisoformat(self.bank["date"])

    @property
    def amount(self) -> Decimal:
        return Decimal(self.bank["amount"])


class Book:
    """Read-only indexes over one ``generate()`` output."""

    def __init__(self, data: dict) -> None:
        self.data = data
        self.seed: int = data["meta"]["seed"]
        self.as_of = date.fromisoformat(data["meta"]["as_of"])
        self.start = date.fromisoformat(data["meta"]["start"])
        self.company: dict = data["erp"]["company"]
        truths = {c["code"]: c for c in data["ground_truth"]["customers"]}
        self.parties = {c["code"]: Party(c, truths[c["code"]]) for c in data["erp"]["customers"]}
        self.documents = {i["number"]: i for i in data["erp"]["invoices"]}
        payment_truths = {p["payment_id"]: p for p in data["ground_truth"]["payments"]}
        self.payments = [PaymentView(p, payment_truths[p["payment_id"]]) for p in data["payments"]]

    def rng(self, stream: str) -> random.Random:
        """An independent random stream per kind of document, so adding mails of one kind does not
        change the others (string seeds hash the same in every process)."""
        return random.Random(f"arfleet documents {self.seed} {stream}")

    @cached_property
    def invoices(self) -> list[dict]:
        return [d for d in self.data["erp"]["invoices"] if d["kind"] == "invoice"]

    def party_of(self, document: dict) -> Party:
        return self.parties[document["customer_code"]]

    @property
    def ar_address(self) -> str:
        return self.company["email"]

    @property
    def company_domain(self) -> str:
        return self.ar_address.partition("@")[2]
