"""``MailServer``: the AR mailbox as the bots and the demo see it, Dovecot plus the SMTP relay,
started and stopped together from one data folder."""
from __future__ import annotations

import atexit
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType

from aiosmtpd.controller import Controller

from sandbox.mail.accounts import Accounts
from sandbox.mail.dovecot import Dovecot, DovecotError
from sandbox.mail.lmtp import deliver
from sandbox.mail.ports import free_port
from sandbox.mail.smtp_relay import start_relay
from sandbox.mail.system_users import system_users

HOST = "127.0.0.1"
_PORT_ATTEMPTS = 3  # a free port can be taken by someone else between our look and Dovecot's bind


class MailServerError(RuntimeError):
    """The mailbox server could not start; the message says why (Dovecot's log included)."""


class MailServer:
    """Dovecot (IMAP, LMTP) and the SMTP relay on loopback, with mailboxes kept in ``data_dir``.

    Accounts already in the data folder are kept; ``accounts`` adds to them or changes passwords.
    Ports left as None are chosen free at start. With ``smtp_auth_required`` the relay accepts
    mail only after AUTH with a mailbox's address and password, like a submission server.
    """

    def __init__(
        self,
        data_dir: str | Path,
        accounts: Mapping[str, str] | None = None,
        imap_port: int | None = None,
        smtp_port: int | None = None,
        *,
        lmtp_port: int | None = None,
        smtp_auth_required: bool = False,
        hostname: str = "mail.arfleet.test",
    ) -> None:
        self.data_dir = Path(data_dir).absolute()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._users = system_users()
        self._dovecot = Dovecot(self.data_dir, self._users, host=HOST, hostname=hostname)
        self._accounts = Accounts(self._dovecot.paths.users,
                                  self._users.internal_gid if self._users.privileged else None)
        if accounts:
            self._accounts.add(accounts)
        self._wanted = {"imap": imap_port, "lmtp": lmtp_port, "smtp": smtp_port}
        self._smtp_auth_required = smtp_auth_required
        self._hostname = hostname
        self._relay: Controller | None = None
        self._smtp_port = 0

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> MailServer:
        if self.running:
            raise MailServerError("the mail server is already running")
        try:
            self._dovecot.prepare()
            self._start_dovecot()
        except DovecotError as exc:
            raise MailServerError(str(exc)) from exc
        try:
            self._smtp_port = self._wanted["smtp"] or free_port(HOST)
            self._relay = start_relay(
                self._accounts,
                host=HOST,
                port=self._smtp_port,
                lmtp_port=self._dovecot.lmtp_port,
                hostname=self._hostname,
                auth_required=self._smtp_auth_required,
            )
        except BaseException:
            self._dovecot.stop()
            raise
        atexit.register(self.stop)
        return self

    def stop(self) -> None:
        """Stop the relay, then Dovecot, waiting until its master process is gone."""
        atexit.unregister(self.stop)
        relay, self._relay = self._relay, None
        if relay is not None:
            relay.stop()
        self._dovecot.stop()

    @property
    def running(self) -> bool:
        return self._dovecot.running

    def __enter__(self) -> MailServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- mailboxes -------------------------------------------------------------------------
    def add_account(self, address: str, password: str) -> str:
        """Create a mailbox (or change its password); returns the normalised address."""
        return self.add_accounts({address: password})[0]

    def add_accounts(self, accounts: Mapping[str, str]) -> list[str]:
        """Create mailboxes (or change passwords), usable as soon as this returns.

        Dovecot looks at its passwd-file at most once per second, so while it runs this waits
        for the next second to begin (under a second; add many accounts in one call).
        """
        added = self._accounts.add(accounts)
        if self.running:
            time.sleep(1.05 - time.time() % 1)
        return added

    @property
    def accounts(self) -> list[str]:
        return self._accounts.addresses

    @property
    def domains(self) -> frozenset[str]:
        """The domains the relay takes mail for: those of the mailboxes."""
        return self._accounts.domains

    def deliver(self, message: bytes, to: str | Iterable[str], mail_from: str = "") -> None:
        """Drop a message straight into mailboxes over LMTP, bypassing the relay (demo data)."""
        self._require_running()
        deliver(message, to, host=HOST, port=self._dovecot.lmtp_port, mail_from=mail_from)

    # -- where to connect ------------------------------------------------------------------
    @property
    def host(self) -> str:
        return HOST

    @property
    def imap_port(self) -> int:
        self._require_running()
        return self._dovecot.imap_port

    @property
    def lmtp_port(self) -> int:
        self._require_running()
        return self._dovecot.lmtp_port

    @property
    def smtp_port(self) -> int:
        self._require_running()
        return self._smtp_port

    @property
    def log_path(self) -> Path:
        return self._dovecot.paths.log

    def _start_dovecot(self) -> None:
        fixed = self._wanted["imap"] is not None and self._wanted["lmtp"] is not None
        for attempt in range(1 if fixed else _PORT_ATTEMPTS):
            imap = self._wanted["imap"] or free_port(HOST)
            lmtp = self._wanted["lmtp"] or free_port(HOST)
            try:
                self._dovecot.start(imap, lmtp)
                return
            except DovecotError as exc:
                if "Address already in use" not in str(exc) or attempt == _PORT_ATTEMPTS - 1 or fixed:
                    raise

    def _require_running(self) -> None:
        if not self.running:
            raise MailServerError("the mail server is not running: call start() first")
