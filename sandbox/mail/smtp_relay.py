"""The sandbox's SMTP server: an aiosmtpd relay that takes mail for the mailbox domains and hands
it to Dovecot over LMTP, answering as a Postfix relay would.

- A recipient in a mailbox domain that has no mailbox: ``550 5.1.1 ... User unknown``.
- A recipient elsewhere: ``554 5.7.1 ... Relay access denied`` (the sandbox reaches no other
  server; an authenticated client is told the domain does not exist).
- AUTH PLAIN and LOGIN with a mailbox's address and password, offered without TLS because it
  listens on loopback only; when ``auth_required``, mail without AUTH gets ``530 5.7.0``.
- Each accepted mail gets a ``Received:`` line on top, then goes to each recipient's INBOX.
"""
from __future__ import annotations

import asyncio
import secrets
from email.utils import formatdate

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from sandbox.mail.accounts import Accounts, normalise_address
from sandbox.mail.lmtp import DeliveryError, deliver


class MailboxAuthenticator:
    """SMTP AUTH against the mailbox accounts, as a submission server checks the IMAP password."""

    def __init__(self, accounts: Accounts) -> None:
        self._accounts = accounts

    def __call__(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode(errors="replace")
        ok = self._accounts.check_login(login, auth_data.password.decode(errors="replace"))
        return AuthResult(success=ok, handled=False, auth_data=login if ok else None)


class RelayHandler:
    """aiosmtpd handler: checks recipients against the mailboxes and delivers over LMTP."""

    def __init__(self, accounts: Accounts, *, lmtp_host: str, lmtp_port: int, hostname: str) -> None:
        self._accounts = accounts
        self._lmtp_host = lmtp_host
        self._lmtp_port = lmtp_port
        self._hostname = hostname

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        try:
            domain = normalise_address(address).partition("@")[2]
        except ValueError:
            return "501 5.1.3 Bad recipient address syntax"
        if domain not in self._accounts.domains:
            if session.authenticated:
                return f"550 5.1.2 <{address}>: Recipient address rejected: Domain not found"
            return f"554 5.7.1 <{address}>: Relay access denied"
        if not self._accounts.exists(address):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown in virtual mailbox table"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        queue_id = secrets.token_hex(5).upper()
        message = self._received_line(session, envelope, queue_id) + envelope.original_content
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, self._deliver, message, envelope)
        except DeliveryError as exc:
            # Recipients were checked at RCPT time, so this is Dovecot being down or full: the
            # client should try again later, as after a real relay's temporary failure.
            return f"451 4.3.0 Error: queue file write error ({exc.reply})"
        return f"250 2.0.0 Ok: queued as {queue_id}"

    def _deliver(self, message: bytes, envelope: Envelope) -> None:
        deliver(
            message,
            envelope.rcpt_tos,
            host=self._lmtp_host,
            port=self._lmtp_port,
            mail_from=envelope.mail_from or "",
        )

    def _received_line(self, session: Session, envelope: Envelope, queue_id: str) -> bytes:
        protocol = "ESMTPA" if session.authenticated else "ESMTP" if session.extended_smtp else "SMTP"
        helo = session.host_name or "unknown"
        peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer)
        recipient = f"\r\n\tfor <{envelope.rcpt_tos[0]}>" if len(envelope.rcpt_tos) == 1 else ""
        return (
            f"Received: from {helo} ({peer})\r\n\tby {self._hostname} (arfleet sandbox relay)"
            f" with {protocol} id {queue_id}{recipient};\r\n\t{formatdate(localtime=True)}\r\n"
        ).encode()


def start_relay(
    accounts: Accounts,
    *,
    host: str,
    port: int,
    lmtp_port: int,
    hostname: str,
    auth_required: bool,
) -> Controller:
    """Start the relay in its own thread (aiosmtpd's Controller); ``stop()`` ends it."""
    controller = Controller(
        RelayHandler(accounts, lmtp_host=host, lmtp_port=lmtp_port, hostname=hostname),
        hostname=host,
        port=port,
        server_hostname=hostname,
        ident="arfleet sandbox relay",
        authenticator=MailboxAuthenticator(accounts),
        auth_required=auth_required,
        auth_require_tls=False,
    )
    controller.start()
    return controller
