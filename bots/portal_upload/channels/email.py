"""E-mail delivery: the Factur-X PDF to the customer's billing address through SMTP, with a
message in the customer's language (``mail_templates``).

A mail cannot be looked up in the customer's mailbox before sending, so "never twice" rests on the
work queue (one item per invoice and channel) and on a Message-ID made from the invoice number and
our SIRET: a retry after a crash sends the same Message-ID, which mail systems that de-duplicate
recognise. The mail as sent is kept as an .eml file for evidence.
"""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from pathlib import Path

from robocorp.workitems import ApplicationException, BusinessException

from bots.kit import WebLogin
from bots.portal_upload.delivery import DeliveryResult
from bots.portal_upload.mail_templates import invoice_mail
from bots.portal_upload.model import InvoiceJob
from bots.portal_upload.routing import EMAIL
from bots.portal_upload.statuses import SENT, StatusUpdate


def message_id(job: InvoiceJob, mail_from: str) -> str:
    domain = mail_from.rpartition("@")[2] or "arfleet.invalid"
    safe = "".join(c if c.isalnum() or c in "-." else "-" for c in job.invoice.number)
    return f"<invoice.{safe}.{job.seller.siret}@{domain}>"


def invoice_message(job: InvoiceJob, facturx_pdf: Path, mail_from: str) -> EmailMessage:
    text = invoice_mail(job)
    message = EmailMessage()
    message["From"] = formataddr((job.seller.name, mail_from))
    message["To"] = job.customer.billing_email or ""
    message["Subject"] = text.subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id(job, mail_from)
    message["Content-Language"] = text.language
    message.set_content(text.body)
    message.add_attachment(facturx_pdf.read_bytes(), maintype="application", subtype="pdf",
                           filename=facturx_pdf.name)
    return message


def send(message: EmailMessage, host: str, port: int, login: WebLogin | None = None, timeout_s: float = 30) -> None:
    """Hand the message to the SMTP server; refusals mapped to the two work-item exceptions."""
    recipient = message["To"]
    try:
        with smtplib.SMTP(host, port, timeout=timeout_s) as smtp:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls()
                smtp.ehlo()
            if login is not None:
                smtp.login(login.login, login.password)
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        code, reply = next(iter(exc.recipients.values()))
        if 500 <= code < 600:
            raise BusinessException(message=f"The mail server refused the billing address {recipient} ({code} "
                                            f"{reply.decode(errors='replace')}): correct «Billing e-mail» in the "
                                            "ERP customer record.", code="EMAIL_ADDRESS_REFUSED") from exc
        raise ApplicationException(message=f"The mail server deferred {recipient} ({code}); the item will be "
                                           "tried again.", code="SMTP_UNAVAILABLE") from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise ApplicationException(message="The mail server refused the bot's SMTP login: check the vault "
                                           "secret.", code="SMTP_LOGIN_REFUSED") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise ApplicationException(message=f"The mail server at {host}:{port} is not taking mail ({exc}); the item "
                                           "will be tried again.", code="SMTP_UNAVAILABLE") from exc


class EmailDriver:
    channel = EMAIL

    def __init__(self, host: str, port: int, mail_from: str, evidence_dir: Path, login: WebLogin | None = None) -> None:
        self.host, self.port, self.mail_from, self.login = host, port, mail_from, login
        self.evidence_dir = evidence_dir

    def deliver(self, job: InvoiceJob, facturx_pdf: Path) -> DeliveryResult:
        message = invoice_message(job, facturx_pdf, self.mail_from or job.seller.email)
        send(message, self.host, self.port, self.login)
        self.evidence_dir.mkdir(parents=True, exist_ok=True)
        kept = self.evidence_dir / f"{facturx_pdf.stem}-email.eml"
        kept.write_bytes(bytes(message))
        return DeliveryResult(EMAIL, message["Message-ID"], StatusUpdate("sent", SENT), evidence=(kept,),
                              details={"to": message["To"], "subject": message["Subject"]})

    def follow(self, job: InvoiceJob, delivered: DeliveryResult) -> DeliveryResult:
        return delivered  # nothing comes back from an e-mail
