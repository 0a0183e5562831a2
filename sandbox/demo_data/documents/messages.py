"""A planned mail as an RFC 5322 message (``email.message.EmailMessage``), written the same to
the byte every time: fixed Date and Message-ID, MIME boundaries derived from the Message-ID
instead of drawn at random. The one mail that lies about its charset gets its text part written
by hand: Windows-1252 bytes, quoted-printable, labelled UTF-8."""
from __future__ import annotations

import hashlib
import quopri
from collections.abc import Callable
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from sandbox.demo_data.documents.mail_plan import Attachment, MailPlan

WIRE = policy.SMTP  # CRLF line ends, as on the wire and in Maildir-to-eml exports


def _address(name: str, address: str) -> Address:
    local, _, domain = address.partition("@")
    return Address(display_name=name, username=local, domain=domain)


def build_message(mail: MailPlan, attachment_bytes: Callable[[Attachment], bytes]) -> EmailMessage:
    message = EmailMessage(policy=policy.default)
    message["From"] = _address(*mail.sender)
    message["To"] = _address("", mail.to)
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.when)
    message["Message-ID"] = mail.message_id
    for name, value in mail.headers:
        message[name] = value
    if mail.text is not None and mail.html is not None:
        message.set_content(mail.text)
        message.add_alternative(mail.html, subtype="html")
    elif mail.html is not None:
        message.set_content(mail.html, subtype="html")
    else:
        message.set_content(mail.text or "")
    if mail.declared_charset:
        _lie_about_charset(message if not message.is_multipart() else message.get_body(("plain",)), mail)
    for attachment in mail.attachments:
        message.add_attachment(attachment_bytes(attachment), maintype=attachment.maintype,
                               subtype=attachment.subtype, filename=attachment.filename)
    _fix_boundaries(message, mail.message_id)
    return message


def _lie_about_charset(part: EmailMessage, mail: MailPlan) -> None:
    raw = mail.text.encode(mail.actual_charset)
    del part["Content-Transfer-Encoding"]
    part.set_payload(quopri.encodestring(raw).decode("ascii"))
    part.replace_header("Content-Type", f'text/plain; charset="{mail.declared_charset}"')
    part["Content-Transfer-Encoding"] = "quoted-printable"


def _fix_boundaries(message: EmailMessage, message_id: str) -> None:
    digest = hashlib.sha256(message_id.encode()).hexdigest()[:24]
    for index, part in enumerate(p for p in message.walk() if p.is_multipart()):
        part.set_boundary(f"=_arfleet_{digest}_{index}")


def message_bytes(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=WIRE)
