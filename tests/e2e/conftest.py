"""The whole product at work: the sandbox (ERP, supplier portals A and B, Chorus Pro, the mailbox)
started as `arfleet up` starts it, a live control room with schedules.yaml applied and the
sandbox's demo accounts in its vault, and real `arfleet runner` subprocesses running the real
bots with Debian's Chromium.

The sandbox is shared by the e2e tests (it takes seconds to start); each test adds its own batch
of invoices to the ERP, issued on a day of its own (``batch_day``), and collects from that day,
so tests never see each other's invoices.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import select

from control_room.actors import Actor
from control_room.models import Queue, WorkItem
from tests.conftest import CHROMIUM
from tests.control_room.fleet import auth, user_token
from tests.live_server import serve

REPO = Path(__file__).resolve().parents[2]
PARIS = ZoneInfo("Europe/Paris")
SEED, CUSTOMERS = 3, 10
DEMO_AGE_DAYS = 60  # the demo's own invoices stop this long ago: the batches are all the ERP has since
PROCESS = "invoice_distribution"


def today() -> date:
    return datetime.now(PARIS).date()


def wait_until(condition: Callable[[], Any], timeout: float, what: str, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


# --- the sandbox ---------------------------------------------------------------------------------------
@dataclass
class World:
    """The running sandbox as the tests see it: its connection file and the apps' admin APIs (which
    the bots never use)."""

    sandbox: Any
    connection: dict
    demo: dict

    @property
    def urls(self) -> dict[str, str]:
        return self.connection["urls"]

    @property
    def credentials(self) -> dict[str, dict]:
        return self.connection["credentials"]

    def admin(self, app: str, method: str, path: str, **kwargs: Any) -> Any:
        response = requests.request(method, f"{self.urls[app]}/_admin/{path}", timeout=30,
                                    headers={"X-Admin-Token": self.credentials["sandbox_admin"]["token"]}, **kwargs)
        assert response.status_code == 200, f"{app} {path}: {response.status_code} {response.text[:500]}"
        return response.json()

    def faults(self, app: str, **settings: Any) -> None:
        self.admin(app, "PUT", "faults", json=settings)

    def submissions(self, portal: str) -> list[dict]:
        return self.admin(portal, "GET", "submissions")["submissions"]

    def flows(self) -> list[dict]:
        return self.admin("chorus_pro", "GET", "flows")["flows"]

    def customer(self, channel: str, nth: int = 0, **wanted: Any) -> dict:
        """The ``nth`` demo customer using ``channel`` (and matching ``wanted``)."""
        found = [c for c in self.demo["erp"]["customers"] if c["invoice_channel"] == channel
                 and all(c.get(k) == v for k, v in wanted.items())]
        return found[nth]

    def structure(self, siret: str) -> dict:
        return next(s for s in self.demo["chorus_pro"]["structures"] if s["siret"] == siret)

    @property
    def print_batches(self) -> Path:
        return Path(self.connection["data_dir"]) / "print-batches"


@pytest.fixture(scope="session")
def world() -> Iterator[World]:
    from sandbox.launcher import Sandbox

    # Dovecot keeps mail as the `mail` user, which cannot enter pytest's 0700 tmp_path.
    folder = Path(tempfile.mkdtemp(prefix="arfleet-e2e-"))
    folder.chmod(0o755)
    sandbox = Sandbox(folder / "sandbox", seed=SEED, customers=CUSTOMERS,
                      as_of=today() - timedelta(days=DEMO_AGE_DAYS))
    sandbox.start()
    try:
        demo = json.loads(Path(sandbox.connection["files"]["demo_data"]).read_text(encoding="utf-8"))
        yield World(sandbox, sandbox.connection, demo)
    finally:
        sandbox.stop()
        shutil.rmtree(folder, ignore_errors=True)


# --- a batch of invoices -----------------------------------------------------------------------------------
CATALOGUE = [("Maintenance préventive - forfait mensuel", "1", "1250.00"),
             ("Filtre hydraulique HF35", "12", "8.50"), ("Intervention technicien (heure)", "3.5", "85.00"),
             ("Roulement SKF 6205-2RS", "15", "18.40")]


def batch_day(test_index: int) -> date:
    """The issue day of a test's batch: later tests get later days, so a test collecting "since its
    day" never sees an earlier test's invoices."""
    return today() - timedelta(days=20 - test_index)


def seed_batch(world: World, day: date, tag: str, customers: list[dict]) -> list[dict]:
    """Add one invoice per customer to the ERP, issued on ``day``, with purchase orders on the
    portals they go to; returns the invoices as seeded (the ERP's seed format)."""
    from sandbox.erp.totals import invoice_totals

    invoices, orders = [], {"portal_a": [], "portal_b": []}
    for n, customer in enumerate(customers, start=1):
        picked = [CATALOGUE[(n + k) % len(CATALOGUE)] for k in range(1 + n % 2)]
        rate = "0.00" if customer["category"] == "foreign" else "20.00"
        lines = [{"description": d, "quantity": q, "unit_price": p, "vat_rate": rate} for d, q, p in picked]
        totals = invoice_totals((Decimal(q), Decimal(p), Decimal(rate)) for _, q, p in picked)
        channel = customer["invoice_channel"]
        number = f"FE{day:%y%m%d}-{tag}{n:02d}"
        po = f"PO-{tag}{day:%m%d}{n:02d}" if channel in orders else None
        structure = next((s for s in world.demo["chorus_pro"]["structures"] if s["siret"] == customer["siret"]), None)
        invoices.append({
            "number": number, "kind": "invoice", "customer_code": customer["code"], "issue_date": day.isoformat(),
            "due_date": (day + timedelta(days=30)).isoformat(), "currency": "EUR", "po_number": po,
            "commitment_number": f"EJ{day:%m%d}{n:04d}" if structure and structure["commitment_required"] else None,
            "service_code": None, "credited_invoice": None, "lines": lines,
            "total_net": str(totals.net), "total_vat": str(totals.vat), "total_gross": str(totals.gross),
        })
        if po:
            orders[channel].append({"po_number": po, "supplier_id": customer["portal_supplier_id"],
                                    "buyer": customer["legal_name"], "currency": "EUR",
                                    "lines": [{"description": d, "quantity": q, "unit_price": p}
                                              for d, q, p in picked]})
    for portal, pos in orders.items():
        if pos:
            world.admin(portal, "POST", "seed", json={"purchase_orders": pos})
    world.admin("erp", "POST", "invoices", json={"invoices": invoices})
    return invoices


# --- the control room and its runners -------------------------------------------------------------------------
@pytest.fixture
def database_url(tmp_path) -> str:
    """SQLite is enough here: the queue semantics are proven on PostgreSQL elsewhere."""
    return f"sqlite:///{tmp_path / 'arfleet.db'}"


class RunnerProcess:
    """A real `arfleet runner`, with the bots of the repository and the environment `arfleet up` gives."""

    def __init__(self, url: str, token: str, state_dir: Path, env: dict[str, str], labels: str) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self.state_dir = state_dir
        self.log = state_dir / "runner.log"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "control_room.cli", "runner", "--url", url, "--token", token, "--name",
             state_dir.name, "--labels", labels, "--capacity", "1", "--state-dir", str(state_dir),
             "--bots-dir", str(REPO / "bots"), "--heartbeat-seconds", "1"],
            env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT, start_new_session=True, cwd=REPO)

    def bot_processes(self, task: str) -> list[int]:
        """Process ids of the bots this runner has running ``task`` (found by their output folder)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            text = [part.decode(errors="replace") for part in command]
            if "robocorp.tasks" in text and (not task or task in text) \
                    and any(str(self.state_dir) in part for part in text):
                found.append(int(entry.name))
        return found

    def kill(self) -> None:
        """The runner and any bot it still has running (each bot is its own process group)."""
        for pid in self.bot_processes(""):
            try:
                os.killpg(os.getpgid(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@dataclass(frozen=True)
class Item:
    id: int
    state: str
    reference: str | None
    payload: dict
    attempts: int
    exception_code: str | None
    exception_message: str | None
    files: list[str]
    parent_id: int | None


class Fleet:
    """The live control room: schedules.yaml applied, the sandbox's accounts in the vault."""

    def __init__(self, app: Any, sessions: Any, settings: Any, world: World, tmp_path: Path) -> None:
        from control_room.fleet_file import load
        from control_room.fleet_sync import apply_fleet
        from control_room.stack import store_sandbox_credentials

        with sessions.begin() as session:
            apply_fleet(session, load(REPO / "schedules.yaml"), Actor.user("e2e"))
        store_sandbox_credentials(settings, world.credentials)
        self.app, self.sessions, self.world, self.tmp_path = app, sessions, world, tmp_path
        self.server = serve(app)
        self.url = self.server.url
        self.ops, self.it = user_token(sessions, "ops"), user_token(sessions, "it")
        self.runners: list[RunnerProcess] = []

    def runner(self, labels: str = "browser,mail", **bot_settings: str) -> RunnerProcess:
        token = requests.post(f"{self.url}/api/v1/registration-tokens", json={}, headers=auth(self.it),
                              timeout=10).json()["token"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1",
               "ARFLEET_CONNECTION_FILE": str(self.world.sandbox.connection_file),
               "ARFLEET_CHROMIUM": CHROMIUM, "ARFLEET_BOT_RETRY_DELAYS_S": "0.2,0.5,1",
               **{f"ARFLEET_BOT_{k.upper()}": v for k, v in bot_settings.items()}}
        started = RunnerProcess(self.url, token, self.tmp_path / f"runner-{len(self.runners) + 1}", env, labels)
        self.runners.append(started)
        return started

    def start(self, process: str, payloads: list[dict]) -> int:
        answer = requests.post(f"{self.url}/api/v1/processes/{process}/runs", json={"payloads": payloads},
                               headers=auth(self.ops), timeout=10)
        assert answer.status_code == 201, answer.text
        return answer.json()["id"]

    def run(self, run_id: int) -> dict:
        return requests.get(f"{self.url}/api/v1/runs/{run_id}", headers=auth(self.ops), timeout=10).json()

    def wait_run(self, run_id: int, timeout: float = 240) -> dict:
        return wait_until(lambda: (r := self.run(run_id))["state"] not in ("pending", "running") and r,
                          timeout, f"run {run_id} to end", every=0.5)

    def wait_step(self, run_id: int, step: str, timeout: float = 240) -> dict:
        """The run once its step ``step`` has ended (or the run has, without reaching it)."""
        def ended() -> dict | None:
            run = self.run(run_id)
            states = {s["step"]: s["state"] for s in run["steps"]}
            done = states.get(step) not in (None, "pending", "running") or run["state"] not in ("pending", "running")
            return run if done else None
        return wait_until(ended, timeout, f"step {step} of run {run_id} to end", every=0.5)

    def logs(self, run: dict) -> str:
        lines = []
        for step in run["steps"]:
            answer = requests.get(f"{self.url}/api/v1/step-runs/{step['id']}/logs", headers=auth(self.ops),
                                  timeout=10).json()
            lines += [f"[{step['step']}] {line['line']}" for line in answer["lines"]]
        return "\n".join(lines)

    def items(self, queue: str) -> list[Item]:
        """The items of ``queue``, oldest first, as plain data."""
        with self.sessions() as session:
            rows = session.scalars(select(WorkItem).join(Queue, WorkItem.queue_id == Queue.id)
                                   .where(Queue.name == queue).order_by(WorkItem.id)).all()
            return [Item(i.id, i.state.value, i.reference, i.payload, i.attempts, i.exception_code,
                         i.exception_message, sorted(f.name for f in i.files), i.parent_id) for i in rows]

    def stop(self) -> None:
        for runner in self.runners:
            runner.kill()
        self.server.stop()


@pytest.fixture
def fleet(app, sessions, settings, world, tmp_path) -> Iterator[Fleet]:
    running = Fleet(app, sessions, settings, world, tmp_path)
    yield running
    running.stop()
