"""One inbound mail before it is written: who sent it when, its text, its attachments, its extra
headers, and the ground truth about it: its class (remittance, dispute, invoice_copy_request,
purchase_order, payment_promise, portal_notification, out_of_office, newsletter) and what it is
about. Message-IDs and file names are given once the whole stream is known and sorted by date."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class Attachment:
    """A file to attach: ``source`` says how to make its bytes ("advice RA-00001",
    "purchase_order BC-2026-1040", "scan 2097152")."""

    filename: str
    maintype: str
    subtype: str
    source: str


@dataclass
class MailPlan:
    mail_class: str
    language: str
    when: datetime
    sender: tuple[str, str]  # display name, address
    to: str
    subject: str
    text: str | None
    html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    headers: list[tuple[str, str]] = field(default_factory=list)
    details: dict = field(default_factory=dict)
    hostile: list[str] = field(default_factory=list)
    declared_charset: str | None = None  # set when the text part lies about its charset
    actual_charset: str | None = None
    message_id: str = ""
    file_name: str = ""

    def truth(self) -> dict:
        return {
            "message_id": self.message_id, "file": self.file_name, "class": self.mail_class,
            "language": self.language, "date": self.when.isoformat(), "from": self.sender[1],
            "subject": self.subject, "attachments": [a.filename for a in self.attachments], **self.details,
            "hostile": self.hostile,
            **({"declared_charset": self.declared_charset, "actual_charset": self.actual_charset}
               if self.declared_charset else {}),
        }


def at_office_hours(day: date, rng: random.Random) -> datetime:
    """A moment on ``day`` when people (and AP batch jobs) send mail, Paris time."""
    return datetime.combine(day, time(7, 0), PARIS) + timedelta(minutes=rng.randint(0, 11 * 60),
                                                                seconds=rng.randint(0, 59))


def clamp(day: date, first: date, last: date) -> date:
    return min(max(day, first), last)


def number_stream(mails: list[MailPlan], rng: random.Random) -> list[MailPlan]:
    """Sort by date and give each mail its file name and a Message-ID unique in the stream, in the
    style of the sender's domain."""
    mails = sorted(mails, key=lambda m: (m.when, m.sender[1], m.subject))
    seen: set[str] = set()
    for index, mail in enumerate(mails, start=1):
        domain = mail.sender[1].partition("@")[2]
        while True:
            token = f"{mail.when.astimezone(PARIS):%Y%m%d%H%M%S}.{rng.getrandbits(48):012x}"
            message_id = f"<{token}@{domain}>"
            if message_id not in seen:
                break
        seen.add(message_id)
        mail.message_id = message_id
        mail.file_name = f"mailbox/M{index:05d}.eml"
    return mails
