"""Delivery into Dovecot over LMTP: what the relay does after accepting a mail, and how the demo
data drops its inbound stream straight into the AR inbox."""
from __future__ import annotations

import re
import smtplib
from collections.abc import Iterable

_LINE_ENDS = re.compile(rb"\r\n|\r|\n")


class DeliveryError(RuntimeError):
    """Dovecot refused or could not take a message; ``code`` is its SMTP-style reply code (0 when
    Dovecot could not be reached)."""

    def __init__(self, recipient: str, code: int, reply: str) -> None:
        super().__init__(f"delivery to {recipient} failed: {code} {reply}")
        self.recipient = recipient
        self.code = code
        self.reply = reply

    @property
    def permanent(self) -> bool:
        return 500 <= self.code < 600


def deliver(
    message: bytes, to: str | Iterable[str], *, port: int, host: str = "127.0.0.1", mail_from: str = ""
) -> None:
    """Store ``message`` in each recipient's INBOX, one LMTP transaction per recipient.

    One transaction each because LMTP answers DATA once per recipient and smtplib reads one
    answer. ``mail_from`` becomes the Return-Path ("" is the null sender of bounces).
    """
    recipients = [to] if isinstance(to, str) else list(to)
    data = _LINE_ENDS.sub(b"\r\n", message)
    try:
        with smtplib.LMTP(host, port, timeout=30) as lmtp:
            for recipient in recipients:
                try:
                    lmtp.sendmail(mail_from, [recipient], data)
                except smtplib.SMTPRecipientsRefused as exc:
                    code, reply = exc.recipients[recipient]
                    raise DeliveryError(recipient, code, reply.decode(errors="replace")) from exc
                except smtplib.SMTPResponseException as exc:
                    raise DeliveryError(recipient, exc.smtp_code, exc.smtp_error.decode(errors="replace")) from exc
    except OSError as exc:  # smtplib's errors included: Dovecot down or hanging up
        raise DeliveryError(", ".join(recipients), 0, f"LMTP at {host}:{port} unreachable: {exc}") from exc
