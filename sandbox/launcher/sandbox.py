"""``Sandbox``: the whole practice world on one machine — the ERP, both supplier portals and Chorus
Pro each in its own process, the AR mailbox (Dovecot and the SMTP relay), the bank's files — from
one data folder, seeded with the demo company on first start, described in a connection file.

    with Sandbox("/srv/arfleet/sandbox") as sandbox:
        print(sandbox.connection["urls"]["erp"])

A restart on the same folder keeps what the bots did: seeding, mail delivery and bank files are
one-off steps, remembered in ``state.json``.
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Self
from zoneinfo import ZoneInfo

from sandbox.demo_data import write as write_demo_data
from sandbox.launcher.app_process import AppFailed, AppProcess
from sandbox.launcher.connection_file import (
    connection,
    read_connection_file,
    write_connection_file,
)
from sandbox.launcher.demo_accounts import DemoAccounts, demo_accounts
from sandbox.launcher.layout import Layout
from sandbox.launcher.state import SandboxState
from sandbox.mail import MailServer, MailServerError

APPS = ("erp", "portal_a", "portal_b", "chorus_pro")
PORT_NAMES = APPS + ("imap", "smtp", "lmtp")
PARIS = ZoneInfo("Europe/Paris")
Progress = Callable[[str], None]


class SandboxError(RuntimeError):
    """The sandbox could not start; the message says which part and why."""


class Sandbox:
    """The practice systems, started and stopped together.

    ``ports`` fixes some ports by name (``erp``, ``portal_a``, ``portal_b``, ``chorus_pro``,
    ``imap``, ``smtp``, ``lmtp``); the others are chosen free. ``seed``, ``customers`` and
    ``as_of`` (default: today in Paris) shape the demo company made when the folder has none.
    """

    def __init__(self, data_dir: str | Path, ports: Mapping[str, int] | None = None, *, seed: int = 1,
                 customers: int = 40, as_of: date | None = None, progress: Progress | None = None,
                 startup_timeout: float = 60.0) -> None:
        unknown = set(ports or {}) - set(PORT_NAMES)
        if unknown:
            raise ValueError(f"unknown port names: {', '.join(sorted(unknown))} (known: {', '.join(PORT_NAMES)})")
        self.layout = Layout(Path(data_dir).absolute())
        self.ports = dict(ports or {})
        self.seed, self.customers, self.as_of = seed, customers, as_of
        self._progress = progress or (lambda message: None)
        self.startup_timeout = startup_timeout
        self.apps: dict[str, AppProcess] = {}
        self.mail_server: MailServer | None = None
        self.connection: dict | None = None

    @property
    def connection_file(self) -> Path:
        return self.layout.connection_file

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> Self:
        if self.apps or self.mail_server:
            raise SandboxError("this sandbox is already started")
        self._refuse_if_running_elsewhere()
        self.layout.create()
        try:
            state = SandboxState(self.layout.state)
            demo = self._demo_data()
            accounts = demo_accounts(demo)
            self._start_apps(state)
            self._seed_apps(state, accounts)
            self._start_mail(state, accounts)
            self._copy_bank_files(state)
            self.connection = self._describe(state, accounts)
            write_connection_file(self.connection_file, self.connection)
            self._progress(f"connection file: {self.connection_file}")
        except BaseException:  # Ctrl-C included: leave nothing running behind
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every app (SIGTERM, then SIGKILL), then the mail server (Dovecot waited for)."""
        apps, self.apps = self.apps, {}
        for app in apps.values():
            if app.terminate():
                self._progress(f"stopping {app.app}")
        for app in apps.values():
            app.stop()
        server, self.mail_server = self.mail_server, None
        if server is not None:
            self._progress("stopping the mail server")
            server.stop()
        if self.connection is not None and self.connection_file.exists():
            self.connection_file.unlink()
        self.connection = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- steps ---------------------------------------------------------------------------------------
    def _refuse_if_running_elsewhere(self) -> None:
        """A connection file whose app processes are alive means another launcher runs this folder."""
        if not self.connection_file.exists():
            return
        try:
            pids = read_connection_file(self.connection_file).get("processes", {})
        except (ValueError, OSError):
            return
        launcher = pids.get("launcher")
        if launcher and launcher != os.getpid() and Path(f"/proc/{launcher}").exists():
            raise SandboxError(f"a sandbox already runs from {self.layout.root} (launcher pid {launcher}); "
                               "stop it first")

    def _demo_data(self) -> dict:
        if not self.layout.demo_data.exists():
            as_of = self.as_of or datetime.now(PARIS).date()
            self._progress(f"generating the demo company (seed {self.seed}, {self.customers} customers, "
                           f"as of {as_of.isoformat()})")
            write_demo_data(self.layout.demo, self.seed, self.customers, as_of)
        else:
            self._progress(f"demo company: {self.layout.demo_data}")
        return json.loads(self.layout.demo_data.read_text(encoding="utf-8"))

    def _start_apps(self, state: SandboxState) -> None:
        for name in APPS:
            app = AppProcess(name, self.layout.database(name), self.layout.log(name), admin_token=state.admin_token,
                             secret_key=state.secret_key, port=self.ports.get(name))
            self.apps[name] = app
            app.spawn()
            self._progress(f"starting {name} on {app.url}")
        for app in self.apps.values():
            try:
                app.wait_ready(self.startup_timeout)
            except AppFailed as exc:
                raise SandboxError(str(exc)) from exc
            self._progress(f"{app.app} answers on {app.url}")

    def _seed_apps(self, state: SandboxState, accounts: DemoAccounts) -> None:
        for name, app in self.apps.items():
            step = f"seeded {name}"
            if state.is_done(step):
                continue
            try:
                loaded = app.seed(accounts.seeds[name])
            except AppFailed as exc:
                raise SandboxError(str(exc)) from exc
            state.mark_done(step)
            counts = loaded.get("loaded", loaded)
            self._progress(f"seeded {name}: " + ", ".join(f"{v} {k}" for k, v in counts.items() if isinstance(v, int)))

    def _start_mail(self, state: SandboxState, accounts: DemoAccounts) -> None:
        self.mail_server = MailServer(self.layout.mail, accounts.mailboxes, self.ports.get("imap"),
                                      self.ports.get("smtp"), lmtp_port=self.ports.get("lmtp"))
        try:
            self.mail_server.start()
        except MailServerError as exc:
            self.mail_server = None
            raise SandboxError(f"the mail server did not start: {exc}") from exc
        self._progress(f"mail server: IMAP {self.mail_server.host}:{self.mail_server.imap_port}, "
                       f"SMTP {self.mail_server.host}:{self.mail_server.smtp_port}")
        if state.is_done("delivered mailbox"):
            return
        truth = json.loads(self.layout.documents_truth.read_text(encoding="utf-8"))
        for mail in truth["mails"]:
            self.mail_server.deliver((self.layout.documents / mail["file"]).read_bytes(), truth["ar_mailbox"],
                                     mail_from=mail["from"])
        state.mark_done("delivered mailbox")
        self._progress(f"delivered {len(truth['mails'])} mails into {truth['ar_mailbox']}")

    def _copy_bank_files(self, state: SandboxState) -> None:
        if state.is_done("bank files"):
            return
        source = self.layout.documents / "bank"
        shutil.copytree(source, self.layout.bank, dirs_exist_ok=True)
        state.mark_done("bank files")
        count = sum(1 for path in self.layout.bank.rglob("*.xml"))
        self._progress(f"bank files: {count} camt files in {self.layout.bank}")

    def _describe(self, state: SandboxState, accounts: DemoAccounts) -> dict:
        urls = {name: app.url for name, app in self.apps.items()}
        urls["chorus_pro_api"] = f"{urls['chorus_pro']}/cpro"
        urls["chorus_pro_token"] = f"{urls['chorus_pro']}/api/oauth/token"
        server = self.mail_server
        layout = self.layout
        return connection(
            data_dir=layout.root, urls=urls,
            mail={"host": server.host, "imap_port": server.imap_port, "smtp_port": server.smtp_port,
                  "ar_mailbox": accounts.ar_mailbox},
            files={"bank_statements": layout.bank / "camt053", "bank_notifications": layout.bank / "camt054",
                   "demo_data": layout.demo_data, "ground_truth": layout.demo / "ground_truth.json",
                   "documents": layout.documents, "documents_truth": layout.documents_truth},
            processes={**{name: app.pid for name, app in self.apps.items()}, "launcher": os.getpid()},
            credentials={**accounts.secrets, "sandbox_admin": {"token": state.admin_token}},
        )
