"""The invoice distribution's world as the e2e tests and bench/distribution.py see it: the running
sandbox (``World``: its connection file and the apps' admin APIs, which the bots never use), a batch
of invoices seeded in the ERP (``seed_batch``), and the live control room with schedules.yaml
applied and the sandbox's accounts in its vault (``DistributionFleet``), with the few ways the tests
drive the process and read what became of its items.

Each e2e test adds its own batch of invoices to the ERP, issued on a day of its own
(``World.batch_day``: each batch a day later than the one before), and collects from that day, so
tests never see each other's invoices.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import select

from control_room.audit.actors import Actor
from control_room.audit.models import AuditEvent
from control_room.queue.models import Queue, WorkItem
from tests.support.browser import CHROMIUM
from tests.support.live_fleet import REPO, LiveFleet, RunnerProcess

PARIS = ZoneInfo("Europe/Paris")
SEED, CUSTOMERS = 3, 10
DEMO_AGE_DAYS = 60  # the demo's own invoices stop this long ago: the batches are all the ERP has since
BATCH_DAYS = 20  # the first batch is issued this many days ago (less one), the next a day later…
PROCESS = "invoice_distribution"


def today() -> date:
    return datetime.now(PARIS).date()


# --- the sandbox ---------------------------------------------------------------------------------------
@dataclass
class World:
    """The running sandbox as the tests see it: its connection file and the apps' admin APIs (which
    the bots never use)."""

    sandbox: Any
    connection: dict
    demo: dict
    batches: int = 0  # batches seeded so far, for ``batch_day``

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

    def batch_day(self) -> date:
        """The issue day of a new batch: each batch gets a later day than the batches before it, so a
        test collecting "since its day" never sees the invoices of a test that ran before it,
        whatever the order the tests run in."""
        self.batches += 1
        return today() - timedelta(days=BATCH_DAYS - self.batches)


# --- a batch of invoices -----------------------------------------------------------------------------------
CATALOGUE = [("Maintenance préventive - forfait mensuel", "1", "1250.00"),
             ("Filtre hydraulique HF35", "12", "8.50"), ("Intervention technicien (heure)", "3.5", "85.00"),
             ("Roulement SKF 6205-2RS", "15", "18.40")]


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
ON_BOTH_DATABASES = pytest.mark.parametrize(
    "database_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
"""For a test that must also pass with the control room on PostgreSQL (the scale-out database); the
e2e ``database_url`` fixture (tests/e2e/conftest.py) is SQLite unless a test is marked so."""


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


class DistributionFleet(LiveFleet):
    """The live control room (its native API as an ops user): schedules.yaml applied, the sandbox's
    accounts in the vault; and real runners of the real bots, registered through the real flow."""

    def __init__(self, app: Any, sessions: Any, settings: Any, world: World, tmp_path: Path) -> None:
        from control_room.serving.stack import store_sandbox_credentials

        self.sessions, self.world = sessions, world
        self.apply_schedules()
        store_sandbox_credentials(settings, world.credentials)
        super().__init__(app, sessions, tmp_path, bots_dir=REPO / "bots", wait_timeout=240, poll_every=0.5)

    def apply_schedules(self, text: str | None = None) -> None:
        """Apply schedules.yaml (or an edited copy of its ``text``), as `arfleet schedules reload` does."""
        from control_room.fleet.schedules_file import parse
        from control_room.fleet.schedules_sync import apply_fleet

        path = REPO / "schedules.yaml"
        with self.sessions.begin() as session:
            apply_fleet(session, parse(path.read_text(encoding="utf-8") if text is None else text, str(path)),
                        Actor.user("e2e"))

    def runner(self, labels: str = "browser,mail", **bot_settings: str) -> RunnerProcess:  # type: ignore[override]
        """A runner (capacity 1) of the real bots, pointed at the sandbox; ``bot_settings`` are the bots'
        ARFLEET_BOT_<NAME> settings."""
        env = {"ARFLEET_CONNECTION_FILE": str(self.world.sandbox.connection_file),
               "ARFLEET_CHROMIUM": CHROMIUM, "ARFLEET_BOT_RETRY_DELAYS_S": "0.2,0.5,1",
               **{f"ARFLEET_BOT_{k.upper()}": v for k, v in bot_settings.items()}}
        return super().runner(labels=labels, capacity=1, heartbeat_seconds=1, env=env)

    def items(self, queue: str) -> list[Item]:
        """The items of ``queue``, oldest first, as plain data."""
        with self.sessions() as session:
            rows = session.scalars(select(WorkItem).join(Queue, WorkItem.queue_id == Queue.id)
                                   .where(Queue.name == queue).order_by(WorkItem.id)).all()
            return [Item(i.id, i.state.value, i.reference, i.payload, i.attempts, i.exception_code,
                         i.exception_message, sorted(f.name for f in i.files), i.parent_id) for i in rows]

    def history(self, item_id: int) -> list[tuple[str, dict]]:
        """The item's audit events, oldest first: (action, details), as its page in the control room lists them."""
        with self.sessions() as session:
            rows = session.execute(select(AuditEvent.action, AuditEvent.details).where(
                AuditEvent.object_type == "work_item", AuditEvent.object_id == str(item_id))
                .order_by(AuditEvent.id)).all()
            return [(action, dict(details)) for action, details in rows]


# --- the invoice distribution, as the tests drive it ----------------------------------------------------------
COLLECTED = f"{PROCESS}.deliver"  # collect's outputs: the deliver step's queue
DELIVERED = f"{PROCESS}.follow_up"  # deliver's outputs: the follow-up's queue


def run_batch(fleet: DistributionFleet, day: date, timeout: float = 240) -> dict:
    """Run the whole process for the invoices issued since ``day``; it must complete."""
    run = fleet.wait_run(fleet.start(PROCESS, [{"payload": {"since": day.isoformat()}}]), timeout)
    assert run["state"] == "completed", fleet.logs(run)[-6000:]
    return run


def deliver_batch(fleet: DistributionFleet, day: date, timeout: float = 240) -> dict:
    """Run the process until its deliver step has ended (the faults are about delivering; the
    follow-up step that comes next is left to the test's teardown)."""
    run = fleet.wait_step(fleet.start(PROCESS, [{"payload": {"since": day.isoformat()}}]), "deliver", timeout)
    steps = {s["step"]: s["state"] for s in run["steps"]}
    assert steps.get("collect") == steps.get("deliver") == "completed", explain(fleet) + fleet.logs(run)[-4000:]
    return run


def explain(fleet: DistributionFleet) -> str:
    """What became of the items, for an assertion's message."""
    return "\n".join(f"{queue} #{i.id} {i.state} {i.exception_code}: {i.exception_message}"
                     for queue in (COLLECTED, DELIVERED) for i in fleet.items(queue))


def by_number(items: list[Item]) -> dict[str, Item]:
    return {item.payload["invoice"]["number"]: item for item in items}


def submitted_once(world: World, portal: str, numbers: list[str]) -> dict[str, str]:
    """The portal's reference for each invoice, checking that each arrived exactly once."""
    found: dict[str, list[str]] = {n: [] for n in numbers}
    for submission in world.submissions(portal):
        if submission["invoice_number"] in found:
            found[submission["invoice_number"]].append(submission["reference"])
    assert all(len(refs) == 1 for refs in found.values()), found
    return {n: refs[0] for n, refs in found.items()}
