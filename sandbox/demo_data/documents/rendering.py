"""Turning a plan into files: each advice in its layout (the same bytes as the attachment that
carries it), each mail as an ``.eml``, each bank file as camt XML."""
from __future__ import annotations

from sandbox.demo_data.documents.advice_pdf_letter import render_letter_pdf
from sandbox.demo_data.documents.advice_pdf_tables import render_table_pdf
from sandbox.demo_data.documents.advice_xlsx import render_xlsx
from sandbox.demo_data.documents.advices import Advice
from sandbox.demo_data.documents.mail_plan import PARIS, Attachment, MailPlan
from sandbox.demo_data.documents.messages import build_message, message_bytes
from sandbox.demo_data.documents.plan import Plan
from sandbox.demo_data.documents.purchase_order_pdf import render_purchase_order
from sandbox.demo_data.documents.scan_tiff import scan_tiff


def render_advice(plan: Plan, advice: Advice) -> bytes:
    company = plan.book.company
    if advice.layout.startswith("pdf_table"):
        return render_table_pdf(advice, company)
    if advice.layout == "pdf_letter":
        return render_letter_pdf(advice, company, plan.book.parties[advice.payment.truth["customer_code"]].name)
    if advice.layout == "xlsx":
        return render_xlsx(advice)
    raise ValueError(f"advice {advice.advice_id} is written in a mail body, not a file")


class _Renderer:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.advices = {a.advice_id: a for a in plan.advices}
        self.files: dict[str, bytes] = {}

    def advice_file(self, advice: Advice) -> bytes:
        if advice.file_name not in self.files:
            self.files[advice.file_name] = render_advice(self.plan, advice)
        return self.files[advice.file_name]

    def attachment(self, mail: MailPlan, attachment: Attachment) -> bytes:
        kind, _, key = attachment.source.partition(" ")
        book = self.plan.book
        if kind == "advice":
            return self.advice_file(self.advices[key])
        if kind == "purchase_order":
            document = book.documents[key]
            return render_purchase_order(document, book.party_of(document), book.company,
                                         mail.when.astimezone(PARIS).date())
        if kind == "scan":
            return scan_tiff(int(key), book.rng(f"scan {mail.message_id}"))
        raise ValueError(f"unknown attachment source {attachment.source!r}")

    def render(self) -> dict[str, bytes]:
        for advice in self.plan.advices:
            if advice.file_name:
                self.advice_file(advice)
        for mail in self.plan.mails:
            message = build_message(mail, lambda a, mail=mail: self.attachment(mail, a))
            self.files[mail.file_name] = message_bytes(message)
        for bank_file in self.plan.bank_files:
            self.files[bank_file.file_name] = bank_file.render()
        return self.files


def render_files(plan: Plan) -> dict[str, bytes]:
    """Every document of ``plan``: {path relative to the documents folder: bytes}."""
    return _Renderer(plan).render()
