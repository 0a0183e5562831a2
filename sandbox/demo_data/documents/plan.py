"""Everything the documents will be, decided before any byte is written: the remittance advices,
the inbound mail stream, the bank files. Deciding is cheap (no PDF, no XML), so ``generate()``
can carry the ground truth, and writing the files later renders exactly what was decided."""
from __future__ import annotations

from dataclasses import dataclass

from sandbox.demo_data.documents.advices import Advice, plan_advices
from sandbox.demo_data.documents.bank_files import BankFile, plan_bank_files
from sandbox.demo_data.documents.book import Book
from sandbox.demo_data.documents.mail_automated import (
    newsletters,
    out_of_office,
    portal_notifications,
)
from sandbox.demo_data.documents.mail_customers import (
    copy_requests,
    disputes,
    promises,
    purchase_orders,
)
from sandbox.demo_data.documents.mail_plan import MailPlan, number_stream
from sandbox.demo_data.documents.mail_remittances import remittance_mails


@dataclass
class Plan:
    book: Book
    advices: list[Advice]
    mails: list[MailPlan]
    bank_files: list[BankFile]

    def truth(self) -> dict:
        """The ground truth: each advice's fields and payment, each mail's class, each bank
        file's lines and the payments they carry. Paths are relative to the documents folder."""
        by_advice = {m.details["remittance_id"]: m.message_id for m in self.mails if m.mail_class == "remittance"}
        return {
            "ar_mailbox": self.book.ar_address,
            "remittances": [{**a.truth(), "message_id": by_advice[a.advice_id]} for a in self.advices],
            "mails": [m.truth() for m in self.mails],
            "bank_files": [f.truth() for f in self.bank_files],
        }


def make_plan(data: dict) -> Plan:
    """The documents of one ``generate()`` output; same output, same plan."""
    book = Book(data)
    advices = plan_advices(book)
    mails = (remittance_mails(book, advices) + disputes(book) + copy_requests(book) + purchase_orders(book)
             + promises(book) + portal_notifications(book) + out_of_office(book) + newsletters(book))
    return Plan(book, advices, number_stream(mails, book.rng("message ids")), plan_bank_files(book))
