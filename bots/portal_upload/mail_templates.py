"""The words of the e-mail that carries an invoice, in the customer's language (French or English;
any other language gets English), with amounts and dates written the way each language writes
them. Pure: the invoice in, subject and body out."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bots.portal_upload.model import CREDIT_NOTE, InvoiceJob, Money

NNBSP = "\u202f"  # French groups thousands with a narrow no-break space
_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")

FR = {
    "invoice": "facture", "credit_note": "avoir",
    "subject": "{Kind} n° {number} du {issue_date} – {seller}",
    "body": (
        "Bonjour,\n\n"
        "Veuillez trouver ci-joint notre {kind} n° {number} du {issue_date} d'un montant de {total} TTC{order}.\n"
        "{payment}\n\n"
        "Le PDF joint est au format Factur-X : les données de la facture y sont intégrées (XML EN 16931) et "
        "peuvent être reprises automatiquement par votre logiciel comptable.\n\n"
        "Pour toute question sur cette {kind}, répondez simplement à ce message.\n\n"
        "Cordialement,\n"
        "Le service comptabilité clients\n{seller}\n{contact}\n"
    ),
    "order": ", relative à votre commande {po}",
    "pay_invoice": "Elle est payable au plus tard le {due_date} par virement sur le compte IBAN {iban}{bic}, en "
                   "rappelant la référence {number}.",
    "pay_credit": "Ce montant vient en déduction de votre solde.",
}
EN = {
    "invoice": "invoice", "credit_note": "credit note",
    "subject": "{Kind} {number} of {issue_date} – {seller}",
    "body": (
        "Dear Sir or Madam,\n\n"
        "Please find attached our {kind} {number} dated {issue_date} for {total} including VAT{order}.\n"
        "{payment}\n\n"
        "The attached PDF is a Factur-X invoice: the invoice data is embedded in it (EN 16931 XML) for automatic "
        "processing by your accounting software.\n\n"
        "If you have any question about this {kind}, simply reply to this message.\n\n"
        "Kind regards,\n"
        "Accounts receivable\n{seller}\n{contact}\n"
    ),
    "order": ", for your purchase order {po}",
    "pay_invoice": "Payment is due by {due_date} by bank transfer to IBAN {iban}{bic}, quoting reference {number}.",
    "pay_credit": "This amount will be deducted from your balance.",
}
TEMPLATES = {"fr": FR, "en": EN}


@dataclass(frozen=True)
class MailText:
    language: str
    subject: str
    body: str


def invoice_mail(job: InvoiceJob) -> MailText:
    invoice, seller = job.invoice, job.seller
    language = job.customer.language if job.customer.language in TEMPLATES else "en"
    words = TEMPLATES[language]
    kind = words[invoice.kind if invoice.kind == CREDIT_NOTE else "invoice"]
    fields = {
        "kind": kind, "Kind": kind[:1].upper() + kind[1:], "number": invoice.number, "seller": seller.name,
        "issue_date": write_date(invoice.issue_date, language), "due_date": write_date(invoice.due_date, language),
        "total": write_money(invoice.total_gross, language), "iban": group_iban(seller.iban),
        "bic": f" (BIC {seller.bic})" if seller.bic else "",
        "contact": " · ".join(x for x in (seller.email, seller.phone) if x),
    }
    fields["order"] = words["order"].format(po=invoice.po_number) if invoice.po_number else ""
    fields["payment"] = words["pay_credit" if invoice.kind == CREDIT_NOTE else "pay_invoice"].format(**fields)
    return MailText(language, words["subject"].format(**fields), words["body"].format(**fields))


def write_money(money: Money, language: str) -> str:
    """1 622,40 € in French, EUR 1,622.40 in English."""
    amount: Decimal = money.amount
    if language == "fr":
        text = f"{amount:,.2f}".replace(",", NNBSP).replace(".", ",")
        return f"{text}\u00a0€" if money.currency == "EUR" else f"{text}\u00a0{money.currency}"
    return f"{money.currency} {amount:,.2f}"


def write_date(day: date, language: str) -> str:
    return day.strftime("%d/%m/%Y") if language == "fr" else f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"


def group_iban(iban: str) -> str:
    compact = iban.replace(" ", "")
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))
