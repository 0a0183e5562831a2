"""The company's bank account as the bank reports it, from the demo payments, through
``sandbox.bank``'s writers: one camt.053 statement per day with movements (up to the day before
``as_of``: today's statement comes tomorrow morning), and camt.054 credit notifications for the
transfers of the last days, today's included. Two transfers from one account on one day are
booked as one batch line; a group paying for a subsidiary sometimes names it as ultimate debtor;
the bank takes its monthly fee."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sandbox.bank import (
    Account,
    Entry,
    Notification,
    Remittance,
    Statement,
    Transaction,
    write_camt053,
    write_camt054,
)
from sandbox.bank.message_header import PARIS
from sandbox.demo_data.documents.book import Book, PaymentView
from sandbox.demo_data.invoices import next_weekday

OPENING_BALANCE = Decimal("48250.00")
MONTHLY_FEE = Decimal("21.60")
NOTIFIED_DAYS = 10  # camt.054 for the transfers of the last days (the ones not yet keyed in the ERP)


@dataclass(frozen=True)
class BankFile:
    file_name: str
    kind: str  # camt.053 or camt.054
    day: date
    document: Statement | Notification
    payments: dict[str, list[str]]  # entry bank reference -> payment ids it carries

    def render(self) -> bytes:
        return write_camt053(self.document) if self.kind == "camt.053" else write_camt054(self.document)

    def truth(self) -> dict:
        return {"file": self.file_name, "kind": self.kind, "date": self.day.isoformat(),
                "entries": [{"bank_reference": e.bank_reference, "amount": str(e.amount), "direction": e.direction,
                             "payment_ids": self.payments.get(e.bank_reference, [])}
                            for e in self.document.entries]}


def _transaction(book: Book, payment: PaymentView, ultimate: bool) -> Transaction:
    bank = payment.bank
    party = book.parties[payment.truth["customer_code"]]
    return Transaction(
        payment.amount, bank["payer_name"], bank["payer_iban"], bank["payer_bic"] or None, bank["end_to_end_id"],
        Remittance(text=bank["remittance_info"]), ultimate_payer=party.name if ultimate else None,
        bank_reference=bank["bank_reference"],
    )


def _day_entries(book: Book, day: date, payments: list[PaymentView], rng) -> tuple[list[Entry], dict[str, list[str]]]:
    by_account: dict[str, list[PaymentView]] = defaultdict(list)
    for payment in payments:
        by_account[payment.bank["payer_iban"]].append(payment)
    entries: list[Entry] = []
    carried: dict[str, list[str]] = {}
    for group in by_account.values():
        transactions = [_transaction(book, p, p.truth["paid_by_parent"] and rng.random() < 0.5) for p in group]
        if len(group) == 1:
            entry = Entry.transfer(transactions[0], booked=day, bank_reference=group[0].bank["bank_reference"])
        else:
            entry = Entry.batch(transactions, booked=day, bank_reference=f"BT{day:%Y%m%d}{len(entries) + 1:05d}")
        carried[entry.bank_reference] = [p.payment_id for p in group]
        entries.append(entry)
    return entries, carried


def _fee_days(book: Book) -> set[date]:
    days, month = set(), date(book.start.year, book.start.month, 1)
    while month <= book.as_of:
        day = next_weekday(month)
        if book.start <= day < book.as_of:
            days.add(day)
        month = (month + timedelta(days=32)).replace(day=1)
    return days


def plan_bank_files(book: Book) -> list[BankFile]:
    rng = book.rng("bank")
    company = book.company
    account = Account(company["iban"], company["name"], company["bic"])
    by_day: dict[date, list[PaymentView]] = defaultdict(list)
    for payment in book.payments:
        by_day[payment.date].append(payment)
    fee_days = _fee_days(book)
    files: list[BankFile] = []
    balance, sequence = OPENING_BALANCE, defaultdict(int)
    notified_from = book.as_of - timedelta(days=NOTIFIED_DAYS)
    notification_number = 0
    for day in sorted(set(by_day) | fee_days):
        entries, carried = _day_entries(book, day, by_day.get(day, []), rng)
        if day >= notified_from:
            for index, entry in enumerate(entries):
                notification_number += 1
                created = datetime.combine(day, time(8, 30), PARIS) + timedelta(minutes=17 * index)
                files.append(BankFile(
                    f"bank/camt054/CAMT054_{account.iban}_{day:%Y%m%d}_{index + 1:03d}.xml", "camt.054", day,
                    Notification(account, (entry,), created, notification_number),
                    {entry.bank_reference: carried[entry.bank_reference]}))
        if day >= book.as_of:
            continue  # today's statement is produced tonight
        if day in fee_days:
            entries.append(Entry.charges(MONTHLY_FEE, booked=day, bank_reference=f"FR{day:%Y%m%d}00001",
                                         label="COMMISSION TENUE DE COMPTE"))
        sequence[day.year] += 1
        statement = Statement(account, day, balance, tuple(entries), sequence_number=sequence[day.year])
        balance = statement.closing_balance
        files.append(BankFile(f"bank/camt053/CAMT053_{account.iban}_{day:%Y%m%d}.xml", "camt.053", day, statement,
                              carried))
    return sorted(files, key=lambda f: f.file_name)
