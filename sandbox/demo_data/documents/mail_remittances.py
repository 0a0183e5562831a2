"""The mails that carry the remittance advices: the advice attached (PDF or Excel, with a short
covering note) or written in the body (text, or HTML from some AP tools). One HTML advice comes
from a compromised mailbox with a script in it; the encrypted PDF says so in its note."""
from __future__ import annotations

import random
from datetime import timedelta

from sandbox.demo_data.documents.advice_mail_text import (
    body_columns,
    body_html,
    body_list,
    covering_note,
)
from sandbox.demo_data.documents.advices import Advice
from sandbox.demo_data.documents.book import Book
from sandbox.demo_data.documents.formats import short_date
from sandbox.demo_data.documents.mail_plan import (
    Attachment,
    MailPlan,
    at_office_hours,
    clamp,
)

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _subject(advice: Advice, rng: random.Random, company: str) -> str:
    fr = advice.language == "fr"
    ref, payer = advice.payment_reference, advice.payer.name
    if advice.payer.style == "treasury":
        return f"Avis de paiement - mandat {ref}"
    if advice.payer.automated:
        return f"Avis de paiement {ref} - {payer}" if fr else f"Remittance advice {ref} - {payer}"
    day = short_date(advice.payment_date, advice.language)
    choices = (("Règlement factures", "Avis de virement", f"Paiement du {day}", f"Virement {payer} / {company}")
               if fr else ("Payment advice", "Remittance", f"Payment of {day}", f"Remittance advice - {payer}"))
    return rng.choice(choices)


def _attachment(advice: Advice) -> Attachment:
    ref = advice.payment_reference
    day = advice.payment_date
    if advice.layout == "xlsx":
        name = f"avis_paiement_{day:%Y%m%d}.xlsx" if advice.language == "fr" else f"remittance_{ref}.xlsx"
        return Attachment(name, *XLSX, f"advice {advice.advice_id}")
    name = {"pdf_table_boxed": f"AvisPaiement_{ref}.pdf" if advice.language == "fr" else f"PaymentAdvice_{ref}.pdf",
            "pdf_table_ledger": f"Remittance_{ref}.pdf",
            "pdf_letter": f"Avis de règlement {day:%d-%m-%Y}.pdf" if advice.language == "fr"
            else f"Payment advice {day:%d-%m-%Y}.pdf"}[advice.layout]
    return Attachment(name, "application", "pdf", f"advice {advice.advice_id}")


def remittance_mails(book: Book, advices: list[Advice]) -> list[MailPlan]:
    rng = book.rng("remittance mails")
    html_advices = [a for a in advices if a.layout == "mail_body" and a.payer.style == "html"]
    hostile_id = rng.choice(html_advices).advice_id if html_advices else None
    mails = []
    for advice in advices:
        day = advice.payment_date - timedelta(days=1 if advice.payer.automated and rng.random() < 0.3 else 0)
        mail = MailPlan(
            mail_class="remittance", language=advice.language,
            when=at_office_hours(clamp(day, book.start, book.as_of), rng),
            sender=(advice.payer.sender_name, advice.payer.sender_address), to=book.ar_address,
            subject=_subject(advice, rng, book.company["name"]), text=None,
            details={"customer_code": advice.payment.truth["customer_code"],
                     "payment_id": advice.payment.payment_id, "remittance_id": advice.advice_id},
        )
        if advice.layout != "mail_body":
            mail.text = covering_note(advice)
            mail.attachments.append(_attachment(advice))
            if advice.password:
                mail.hostile.append("encrypted_attachment")
        elif advice.advice_id == hostile_id:
            mail.html = body_html(advice, hostile=True)
            mail.hostile.append("html_script")
        elif advice.payer.style == "html":
            mail.text, mail.html = body_list(advice), body_html(advice)
        else:
            mail.text = body_columns(advice) if advice.payer.style == "columns" else body_list(advice)
        mails.append(mail)
    return mails
