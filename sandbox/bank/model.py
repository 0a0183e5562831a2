"""What a bank reports about an account, as plain frozen data: the writers turn it into camt files.

Amounts are ``Decimal`` and never negative; the direction is ``CRDT`` (money in) or ``DBIT``.
An entry (``Ntry``) is one line on the statement; it carries one transaction (``TxDtls``) for a
single transfer, several for a batch booked as one line, or none for a bank's own charge.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from schwifty import BIC, IBAN

Direction = Literal["CRDT", "DBIT"]


def _amount(value: object, what: str, *, allow_zero: bool = False) -> None:
    if not isinstance(value, Decimal):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}")
    if value < 0 or (value == 0 and not allow_zero) or value != value.quantize(Decimal("0.01")):
        raise ValueError(f"{what} must be positive with at most two decimals: {value}")


def _compact_iban(value: str, what: str) -> str:
    """The IBAN without spaces; a wrong length or check digit is refused, as no bank prints one."""
    try:
        return IBAN(value).compact
    except ValueError as exc:
        raise ValueError(f"{what} {value!r}: {exc}") from exc


def _check_bic(value: str, what: str) -> None:
    try:
        BIC(value)
    except ValueError as exc:
        raise ValueError(f"{what} {value!r}: {exc}") from exc


@dataclass(frozen=True)
class BankTransactionCode:
    """ISO 20022 bank transaction code (``BkTxCd/Domn``): what kind of movement a line is."""

    domain: str
    family: str
    sub_family: str


SEPA_TRANSFER_RECEIVED = BankTransactionCode("PMNT", "RCDT", "ESCT")
BANK_CHARGES = BankTransactionCode("ACMT", "MDOP", "CHRG")


@dataclass(frozen=True)
class Remittance:
    """What the payer wrote for us: free text (``Ustrd``, cut at 140 characters as banks do) and/or
    a structured creditor reference (``Strd/CdtrRefInf/Ref``, e.g. an ISO 11649 ``RF..``)."""

    text: str | None = None
    reference: str | None = None

    def __post_init__(self) -> None:
        if not self.text and not self.reference:
            raise ValueError("a remittance needs a text or a reference")


@dataclass(frozen=True)
class Transaction:
    """One credit transfer inside an entry (``TxDtls``): who paid, from which account, and why."""

    amount: Decimal
    payer_name: str
    payer_iban: str | None = None
    payer_bic: str | None = None
    end_to_end_id: str = "NOTPROVIDED"  # what SEPA payers leave when they give none
    remittance: Remittance | None = None
    ultimate_payer: str | None = None  # the company paid for, when a parent pays for a subsidiary
    bank_reference: str | None = None  # the bank's own reference of this transaction

    def __post_init__(self) -> None:
        _amount(self.amount, "a transaction amount")
        if self.payer_iban:
            object.__setattr__(self, "payer_iban", _compact_iban(self.payer_iban, "payer IBAN"))
        if self.payer_bic:
            _check_bic(self.payer_bic, "payer BIC")


@dataclass(frozen=True)
class Entry:
    """One statement line (``Ntry``). With transactions, its amount is theirs summed."""

    amount: Decimal
    booking_date: date
    value_date: date
    bank_reference: str  # AcctSvcrRef: unique per line at the bank
    direction: Direction = "CRDT"
    transactions: tuple[Transaction, ...] = ()
    code: BankTransactionCode = SEPA_TRANSFER_RECEIVED
    info: str | None = None  # AddtlNtryInf: the line's label; derived from the transfer when None

    def __post_init__(self) -> None:
        _amount(self.amount, "an entry amount")
        if self.direction not in ("CRDT", "DBIT"):
            raise ValueError(f"direction must be CRDT or DBIT, not {self.direction!r}")
        if self.transactions and sum(t.amount for t in self.transactions) != self.amount:
            raise ValueError(f"entry {self.bank_reference}: transactions do not add up to {self.amount}")

    @classmethod
    def transfer(
        cls, transaction: Transaction, *, booked: date, value: date | None = None, bank_reference: str
    ) -> Entry:
        """A single SEPA credit transfer received."""
        return cls(transaction.amount, booked, value or booked, bank_reference, transactions=(transaction,))

    @classmethod
    def batch(
        cls, transactions: list[Transaction] | tuple[Transaction, ...], *, booked: date, value: date | None = None,
        bank_reference: str,
    ) -> Entry:
        """Several transfers booked as one line (a payer's bulk payment, or the bank's own grouping)."""
        if len(transactions) < 2:
            raise ValueError("a batch holds at least two transactions")
        total = sum((t.amount for t in transactions), Decimal("0"))
        return cls(total, booked, value or booked, bank_reference, transactions=tuple(transactions))

    @classmethod
    def charges(cls, amount: Decimal, *, booked: date, bank_reference: str, label: str) -> Entry:
        """A debit of the bank's own fees (no counterparty)."""
        return cls(amount, booked, booked, bank_reference, direction="DBIT", code=BANK_CHARGES, info=label)

    @property
    def signed_amount(self) -> Decimal:
        return self.amount if self.direction == "CRDT" else -self.amount


@dataclass(frozen=True)
class Account:
    """Our account at the bank."""

    iban: str
    owner_name: str
    bank_bic: str
    currency: str = "EUR"

    def __post_init__(self) -> None:
        object.__setattr__(self, "iban", _compact_iban(self.iban, "account IBAN"))
        _check_bic(self.bank_bic, "bank BIC")


@dataclass(frozen=True)
class Statement:
    """One day's statement (camt.053): the opening balance, the lines booked that day; the
    closing balance follows from them."""

    account: Account
    statement_date: date
    opening_balance: Decimal  # signed: negative when overdrawn
    entries: tuple[Entry, ...]
    sequence_number: int  # the statement's number in the year (ElctrncSeqNb/LglSeqNb)
    created_at: datetime | None = None  # when the bank produced the file; next morning by default
    statement_id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.opening_balance, Decimal):
            raise TypeError("the opening balance must be a Decimal")
        if self.created_at is not None and self.created_at.tzinfo is None:
            raise ValueError("created_at must be timezone-aware")

    @property
    def closing_balance(self) -> Decimal:
        return self.opening_balance + sum((e.signed_amount for e in self.entries), Decimal("0"))


@dataclass(frozen=True)
class Notification:
    """A credit (or debit) notification (camt.054): lines reported as they are booked, no balances."""

    account: Account
    entries: tuple[Entry, ...]
    created_at: datetime
    sequence_number: int
    notification_id: str | None = None

    def __post_init__(self) -> None:
        if self.created_at.tzinfo is None:
            raise ValueError("created_at must be timezone-aware")
        if not self.entries:
            raise ValueError("a notification reports at least one entry")
