"""Screenshots of the control room for the documentation (docs/control-room.md), light and dark.

Builds a small but lifelike accounts-receivable fleet in a throw-away control room (SQLite), the way
the real one fills up: the processes and schedules come from a schedules.yaml text, runs are claimed
by runners, items are reserved, completed or escalated through the core transitions, a handler fixes
an item from the inbox. Past runs are then moved back in time so the dashboard has a day of history.
Then each role logs in with Playwright (Debian's Chromium, headless) and the pages are saved as PNGs.

    .venv/bin/python docs/screenshots.py [--out docs/screenshots] [--no-dark]
"""
from __future__ import annotations

import argparse
import base64
import io
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

# run as a script, sys.path[0] is docs/; tests.support (imported below) is not an installed package, so add the root
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import select, update

from control_room import create_app
from control_room.access.models import Role
from control_room.access.tokens import token_hash
from control_room.access.users import create_user
from control_room.audit.actors import Actor
from control_room.clock import SYSTEM_CLOCK
from control_room.config import Settings
from control_room.fleet import runs, schedules_file
from control_room.fleet.models import Artifact, Process, ProcessRun, Runner, Schedule, ScheduleFire, StepRun, StepRunLog
from control_room.fleet.schedules_sync import apply_fleet
from control_room.inbox import claims, resolutions
from control_room.queue import depths, transitions
from control_room.queue.models import ExceptionType, WorkItem
from control_room.queue.reservation import reserve_next
from control_room.storage.engine import make_engine
from control_room.storage.migrate import upgrade
from tests.support.browser import CHROMIUM
from tests.support.live_server import serve

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "documentation password"
SETUP = Actor.user("root")
SCHEDULER = Actor("system", "scheduler")
PEOPLE = {"root": Role.ADMIN, "olga": Role.OPS, "ida": Role.IT, "hana": Role.HANDLER, "hugo": Role.HANDLER,
          "vera": Role.VIEWER}

FLEET = """
processes:
  invoice_distribution:
    description: Send each invoice by its customer's channel (supplier portal, Chorus Pro, e-mail, letter)
    lease: 15m
    steps:
      - {name: distribute, bot: portal_upload, task: distribute, labels: [browser], timeout: 2h}
  mail_triage:
    description: Classify the AR mailbox and queue what must be done
    steps:
      - {name: classify, bot: mail_router, task: classify, labels: [mail]}
  remittances:
    description: Read remittance advices, match payments to open items, key them into the ERP
    steps:
      - {name: match, bot: remittance_reader, task: match, labels: [erp]}
  dunning:
    description: Send the reminders the dunning strategy calls for
    steps:
      - {name: send, bot: dunning_sender, task: send, labels: [mail]}
schedules:
  - {name: invoices-morning, process: invoice_distribution, cron: "0 8 * * 1-5", business_days: true}
  - {name: invoices-afternoon, process: invoice_distribution, cron: "0 14 * * 1-5", business_days: true}
  - {name: mailbox-every-15-min, process: mail_triage, cron: "*/15 7-19 * * 1-5"}
  - {name: remittances-nightly, process: remittances, cron: "30 2 * * *"}
  - {name: dunning-monday, process: dunning, cron: "0 9 * * 1", business_days: true}
triggers:
  - {process: remittances, min_items: 5, max_active_runs: 1}
"""

FAILING_SCREEN = """<!doctype html><html><head><style>
body {{ font-family: sans-serif; margin: 0; background: #eef1f4; }}
header {{ background: #0b4f6c; color: white; padding: 12px 20px; font-size: 18px; }}
main {{ padding: 20px; }} .box {{ background: white; border: 1px solid #c9d1d9; padding: 16px; width: 520px; }}
label {{ display: block; margin-top: 10px; font-size: 13px; color: #444; }}
input {{ width: 100%; padding: 6px; border: 1px solid #aab; }} input.bad {{ border: 2px solid #c62828; }}
.error {{ background: #fdecea; color: #c62828; border: 1px solid #f5c2c0; padding: 8px; margin-bottom: 10px; }}
button {{ margin-top: 14px; background: #0b4f6c; color: white; border: 0; padding: 8px 14px; }}
</style></head><body><header>{portal} · Supplier invoices</header><main><div class="box">
<div class="error">{error}</div>
<label>Invoice number</label><input value="{invoice}">
<label>Amount incl. VAT</label><input value="{amount}">
<label>Purchase order number</label><input class="{po_class}" value="{po}">
<button>Submit invoice</button></div></main></body></html>"""


def parse_time(hours_ago: float) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours_ago)


class Builder:
    """Drives the core functions as runners and bots would, in one control room."""

    def __init__(self, app, screens: dict[str, bytes]) -> None:
        self.services = app.extensions["arfleet"]
        self.sessions = self.services.sessions
        self.screens = screens
        self.backdate: list[tuple[int, float, float]] = []  # (run id, hours ago, minutes it took)
        self.item_times: dict[int, datetime] = {}  # when each item arrived in its queue

    def people_and_fleet(self) -> None:
        with self.sessions.begin() as session:
            for name, role in PEOPLE.items():
                create_user(session, name, PASSWORD, role, SETUP)
            apply_fleet(session, schedules_file.parse(FLEET), SETUP)
            now = SYSTEM_CLOCK.now()
            for name, labels, capacity, heartbeat, retired in (
                    ("vm-paris-01", ["browser", "mail"], 2, now, False),
                    ("vm-paris-02", ["browser"], 2, now, False),
                    ("vm-erp-01", ["erp", "mail"], 1, now, False),
                    ("vm-lyon-01", ["browser"], 1, now - timedelta(minutes=25), False),
                    ("vm-2019", ["browser"], 1, now - timedelta(days=40), True)):
                session.add(Runner(name=name, labels=labels, capacity=capacity, last_heartbeat_at=heartbeat,
                                   credential_hash=token_hash(f"docs-{name}"), retired=retired,
                                   lost_at=now - timedelta(minutes=23) if name == "vm-lyon-01" else None))
            vault = self.services.vault
            vault.set(session, "portal_a", {"login": "acme-ar", "password": os.urandom(9).hex()}, SETUP,
                      processes=["invoice_distribution"], description="Supplier portal A (Fournisseurs Plus)")
            vault.set(session, "chorus_pro", {"login": "ar@acme.fr", "password": os.urandom(9).hex()}, SETUP,
                      processes=["invoice_distribution"], description="Chorus Pro, public-sector customers")
            vault.set(session, "erp_api", {"client_id": "arfleet", "client_secret": os.urandom(9).hex()}, SETUP,
                      processes=["remittances", "dunning"], description="ERP REST API")
            vault.set(session, "mailbox_ar", {"user": "ar@acme.fr", "password": os.urandom(9).hex()}, SETUP,
                      processes=["mail_triage", "remittances", "dunning"], description="The AR mailbox (IMAP)")
            vault.set(session, "portal_a", {"login": "acme-ar", "password": os.urandom(9).hex()}, SETUP)

    def run(self, process_name: str, runner_name: str, items: list[tuple[dict, str, object]], log: list[str],
            requested_by: Actor = SCHEDULER, hours_ago: float = 0, minutes: float = 3,
            finish: bool = True, exit_code: int = 0, secret: str | None = None,
            screenshot: tuple[str, str] | None = None, schedule: str | None = None) -> tuple[int, list[int]]:
        """A run of `process_name` over `items` — (payload, reference, outcome) with outcome "done",
        (exception type, code, message), or "hold" (still reserved when we stop: the run goes on).
        Items are taken in the queue's order (priority, deadline, age), as a bot would get them; an
        item of an earlier run waiting in the queue (a retried one) is simply completed."""
        with self.sessions.begin() as session:
            process = session.scalar(select(Process).where(Process.name == process_name))
            runner = session.scalar(select(Runner).where(Runner.name == runner_name))
            creator = requested_by if requested_by.type == "user" else Actor("system", "intake")
            outcomes: dict[int, object] = {}
            created = []
            for payload, reference, outcome in items:
                payload = dict(payload)
                new = transitions.NewItem(payload, reference, priority=payload.pop("_priority", 0),
                                          deadline=payload.pop("_deadline", None))
                item = transitions.create(session, process.input_queue, new, creator, process_id=process.id)
                outcomes[item.id] = outcome
                created.append(item.id)
            run = runs.start_run(session, process, requested_by)
            claim = runs.assign_next(session, runner)
            step_run_id = claim.step_run.id
            me = Actor.run(step_run_id)
            if secret:
                self.services.vault.read(session, secret, process_name, me, run.id)
            item_id: int | None = claim.first_item_id
            while item_id is not None:
                outcome = outcomes.get(item_id, "done")
                if outcome == "hold":
                    break
                if outcome == "done":
                    transitions.complete(session, item_id, step_run_id, me)
                else:
                    kind, code, message = outcome
                    transitions.fail(session, item_id, step_run_id, ExceptionType(kind), code, message, me)
                item_id = reserve_next(session, process.input_queue.id, step_run_id, 900, me)
            session.add_all([StepRunLog(step_run_id=step_run_id, seq=i, line=line) for i, line in enumerate(log)])
            if screenshot is not None:
                name, screen = screenshot
                self.artifact(session, step_run_id, name, self.screens[screen])
            if finish:
                runs.finish(session, session.get(StepRun, step_run_id), exit_code, Actor.runner(runner_name))
            if schedule:
                fired = session.scalar(select(Schedule).where(Schedule.name == schedule))
                session.add(ScheduleFire(schedule_id=fired.id, fire_time=parse_time(hours_ago), outcome="started",
                                         process_run_id=run.id))
            if hours_ago:
                self.backdate.append((run.id, hours_ago, minutes))
            for item in created:
                self.item_times[item] = parse_time(hours_ago + 0.3)
            return run.id, created

    def artifact(self, session, step_run_id: int, name: str, data: bytes) -> None:
        row = Artifact(step_run_id=step_run_id, name=name, size=0, sha256="")
        session.add(row)
        session.flush()
        row.size, row.sha256 = self.services.files.write("artifacts", step_run_id, row.id, io.BytesIO(data), 10 ** 7)

    def resolve_from_inbox(self, item_id: int, handler: str, corrected: dict, reason: str) -> None:
        """What the inbox's "Save and retry" does: claim, retry with the fixed payload, keep the example."""
        with self.sessions.begin() as session:
            claims.claim(session, item_id, handler, Actor.user(handler))
            resolutions.resolve(session, session.get(WorkItem, item_id), "retry", Actor.user(handler), reason,
                                corrected_payload=corrected, escalated_only=True)

    def sample_depths(self, hours_ago: float) -> None:
        """What the scheduler does every few minutes, for the dashboard's queue-depth chart."""
        with self.sessions.begin() as session:
            depths.sample(session, parse_time(hours_ago))

    def claim_for(self, item_id: int, handler: str) -> None:
        with self.sessions.begin() as session:
            claims.claim(session, item_id, handler, Actor.user(handler))

    def move_back_in_time(self) -> None:
        """Runs happened over the last days: their times (not the audit log's, which is chained) move back."""
        with self.sessions.begin() as session:
            for run_id, hours_ago, minutes in self.backdate:
                start = parse_time(hours_ago)
                end = start + timedelta(minutes=minutes)
                session.execute(update(ProcessRun).where(ProcessRun.id == run_id)
                                .values(created_at=start, ended_at=end))
                step_ids = list(session.scalars(select(StepRun.id).where(StepRun.process_run_id == run_id)))
                session.execute(update(StepRun).where(StepRun.id.in_(step_ids))
                                .values(created_at=start, started_at=start + timedelta(seconds=8), ended_at=end))
                session.execute(update(StepRunLog).where(StepRunLog.step_run_id.in_(step_ids)).values(at=start))
            for item_id, arrived in self.item_times.items():
                session.execute(update(WorkItem).where(WorkItem.id == item_id)
                                .values(created_at=arrived, updated_at=arrived))


def invoice(number: int, customer: str, amount: str, po: str = "PO-88{0:03d}", **extra) -> dict:
    return {"invoice": f"F-2026-{number:04d}", "customer": customer, "amount": amount, "currency": "EUR",
            "po": po.format(number % 1000) if po else "", "channel": extra.pop("channel", "portal_a"), **extra}


def build(app, screens: dict[str, bytes]) -> dict[str, int]:
    """A week of an AR team's fleet, played in time order (ids follow time, as in a real control room)."""
    b = Builder(app, screens)
    b.people_and_fleet()
    customers = ["Fournisseurs Plus", "Dupont SA", "Hôpital de Lyon", "Mairie de Nantes", "Bâti-Ouest"]
    timeline: list[tuple[float, object]] = []  # (hours ago, what happens then)
    got: dict[str, int] = {}

    def at(hours_ago: float):
        def schedule(action):
            timeline.append((hours_ago, action))
            return action
        return schedule

    number = 300
    for day in range(6, 0, -1):  # morning and afternoon invoice runs, nightly remittances
        for hours, schedule in ((24 * day + 2, "invoices-morning"), (24 * day - 4, "invoices-afternoon")):
            batch = [(invoice(number + i, customers[(number + i) % 5], f"{(number + i) * 37 % 9000 + 120}.00"),
                      f"F-2026-{number + i:04d}", "done") for i in range(4)]
            number += 4
            at(hours)(lambda batch=batch, hours=hours, schedule=schedule: b.run(
                "invoice_distribution", "vm-paris-01", batch, ["Opening Fournisseurs Plus", "4 invoices uploaded"],
                hours_ago=hours, minutes=6, secret="portal_a", schedule=schedule))
        at(24 * day - 18)(lambda day=day: b.run(
            "remittances", "vm-erp-01", [({"payer": "Dupont SA", "amount": "1890.00"}, f"RA-{day}-1", "done")],
            ["Reading 1 remittance advice", "Matched 3 open items"], hours_ago=24 * day - 18, minutes=2,
            secret="erp_api", schedule="remittances-nightly"))
    at(49)(lambda: b.run("dunning", "vm-paris-01", [({"customer": "Bâti-Ouest", "level": 2}, "DUN-2026-11-1", "done")],
                         ["Level 2 reminder sent to Bâti-Ouest"], hours_ago=49, minutes=1, schedule="dunning-monday"))
    at(26)(lambda: b.run("dunning", "vm-erp-01",
                         [({"customer": "Dupont SA", "level": 1}, "DUN-2026-11-2",
                           ("application", "ERP_TIMEOUT", "The ERP did not answer within 60 s"))],
                         ["Reading the dunning list from the ERP", "ERROR: ReadTimeout after 60 s", "Exit code 1"],
                         hours_ago=26, minutes=2, exit_code=1, secret="erp_api"))
    for h in (9, 7.5, 6, 4.5, 3, 1.5):  # the mailbox, through the day
        mails = [({"from": "compta@dupont.fr", "subject": f"Avis de paiement {int(h * 10)}"}, f"MSG-{int(h * 100)}-1",
                  "done"),
                 ({"from": "ap@hopital-lyon.fr", "subject": "Facture en double ?"}, f"MSG-{int(h * 100)}-2", "done")]
        at(h)(lambda h=h, mails=mails: b.run(
            "mail_triage", "vm-paris-01", mails, ["IMAP: 2 new messages", "2 classified"], hours_ago=h, minutes=1,
            secret="mailbox_ar", schedule="mailbox-every-15-min"))
    at(2.2)(lambda: b.run(
        "mail_triage", "vm-erp-01",
        [({"from": "contact@mairie-nantes.fr", "subject": "Re: facture 2026-0388 – litige"}, "MSG-9001",
          ("business", "UNCLASSIFIED", "The message matches no class with enough confidence (best: dispute, 0.41)"))],
        ["IMAP: 1 new message", "Escalated: UNCLASSIFIED"], hours_ago=2.2, minutes=1, secret="mailbox_ar"))

    # this morning: invoices the portal refused, with the screens it showed
    refused = ("business", "PO_MISSING", "No purchase order number on the invoice: the portal requires one")

    @at(5)
    def morning() -> None:
        got["morning_run"], items = b.run(
            "invoice_distribution", "vm-paris-02",
            [(invoice(410, "Dupont SA", "860.00"), "F-2026-0410", "done"),
             (invoice(411, "Fournisseurs Plus", "2310.40"), "F-2026-0411", "done"),
             ({**invoice(412, "Fournisseurs Plus", "1234.50", po=""), "_priority": 2,
               "_deadline": SYSTEM_CLOCK.now() + timedelta(days=1)}, "F-2026-0412", refused),
             (invoice(377, "Fournisseurs Plus", "745.00", po=""), "F-2026-0377", refused)],
            ["Opening Fournisseurs Plus", "Logged in as acme-ar", "F-2026-0410 uploaded", "F-2026-0411 uploaded",
             "F-2026-0412: the portal refused the invoice (purchase order number required)",
             "F-2026-0377: the portal refused the invoice (purchase order number required)",
             "Done: 2 uploaded, 2 escalated"],
            hours_ago=5, minutes=9, secret="portal_a", screenshot=("screenshot-failure.png", "po_missing_0412"),
            schedule="invoices-morning")
        got["po_item"], got["fixed_item"] = items[2], items[3]

    @at(4.5)
    def amount() -> None:
        _, items = b.run(
            "invoice_distribution", "vm-paris-02",
            [({**invoice(415, "Bâti-Ouest", "1204.00"), "_priority": 1}, "F-2026-0415",
              ("business", "AMOUNT_MISMATCH",
               "The portal's order total is 1,240.00 EUR; the invoice says 1,204.00 EUR")),
             (invoice(416, "Bâti-Ouest", "96.00"), "F-2026-0416", "done")],
            ["Opening Fournisseurs Plus", "F-2026-0415: order total 1,240.00 EUR, invoice 1,204.00 EUR: escalated",
             "F-2026-0416 uploaded"],
            hours_ago=4.5, minutes=4, secret="portal_a", screenshot=("screenshot-failure.png", "amount_0415"))
        got["amount_item"] = items[0]

    at(3.5)(lambda: b.run(
        "invoice_distribution", "vm-paris-01",
        [(invoice(398, "Garage Martin", "312.00", channel="unknown"), "F-2026-0398",
          ("business", "SUPPLIER_UNKNOWN", "Customer Garage Martin has no channel in the customer master")),
         (invoice(399, "Dupont SA", "1500.00", channel="email"), "F-2026-0399", "done")],
        ["F-2026-0398: no channel for Garage Martin: escalated", "F-2026-0399 sent by e-mail"],
        hours_ago=3.5, minutes=2))
    at(2.5)(lambda: b.run(
        "invoice_distribution", "vm-paris-02",
        [(invoice(409, "Fournisseurs Plus", "88.20", po=""), "F-2026-0409", refused),
         (invoice(408, "Fournisseurs Plus", "410.00"), "F-2026-0408", "done")],
        ["Opening Fournisseurs Plus", "F-2026-0409: the portal refused the invoice (purchase order number required)",
         "F-2026-0408 uploaded"],
        hours_ago=2.5, minutes=3, secret="portal_a", screenshot=("screenshot-failure.png", "po_missing_0409")))
    at(4)(lambda: b.run(
        "remittances", "vm-erp-01",
        [({"payer": "SCI Les Tilleuls", "amount": "3412.50", "reference": "VIR 2026-11-24 TILLEULS"}, "RA-0-7",
          ("business", "NO_MATCH", "Payment of 3,412.50 EUR from SCI Les Tilleuls matches no open item"))],
        ["Reading 1 remittance advice", "No open item matches 3,412.50 EUR"], hours_ago=4, minutes=2,
        secret="erp_api"))
    # hana fixes F-2026-0377 from the inbox and the afternoon run sends it; hugo looks at F-2026-0415
    at(1.2)(lambda: b.resolve_from_inbox(
        got["fixed_item"], "hana", {**invoice(377, "Fournisseurs Plus", "745.00", po=""), "po": "PO-88377"},
        "PO number found on the order confirmation"))
    at(1.1)(lambda: b.claim_for(got["amount_item"], "hugo"))
    at(1)(lambda: b.run(
        "invoice_distribution", "vm-paris-01", [(invoice(420, "Dupont SA", "99.90"), "F-2026-0420", "done")],
        ["Opening Fournisseurs Plus", "F-2026-0377 uploaded (PO-88377)", "F-2026-0420 uploaded"],
        hours_ago=1, minutes=4, secret="portal_a", schedule="invoices-afternoon"))

    @at(0)
    def now() -> None:  # a run going on, started by olga: two invoices done, one in progress, one waiting
        got["live_run"], items = b.run(
            "invoice_distribution", "vm-paris-01",
            [(invoice(430, "Hôpital de Lyon", "5120.00", channel="chorus_pro"), "F-2026-0430", "done"),
             (invoice(431, "Mairie de Nantes", "980.00", channel="chorus_pro"), "F-2026-0431", "done"),
             (invoice(432, "Mairie de Nantes", "1460.00", channel="chorus_pro"), "F-2026-0432", "hold"),
             (invoice(433, "Dupont SA", "220.00"), "F-2026-0433", "wait")],
            ["[10:02:11] Opening Chorus Pro (qualification)", "[10:02:14] Logged in as ar@acme.fr",
             "[10:02:20] F-2026-0430: structure SIRET 26690001800018, service SERV-FIN",
             "[10:02:31] F-2026-0430 deposited, flux number CPP-2026-771203",
             "[10:02:40] F-2026-0431 deposited, flux number CPP-2026-771204",
             "[10:02:48] F-2026-0432: uploading the PDF (Factur-X, 182 KB)…"],
            requested_by=Actor.user("olga"), finish=False, secret="chorus_pro",
            screenshot=("screenshot-chorus-pro-deposit.png", "chorus"))
        for item in items:  # these invoices came in a quarter of an hour ago
            b.item_times[item] = parse_time(0.25)

    def dunning_item(n: int) -> None:  # the dunning backlog, waiting for Monday's run
        with b.sessions.begin() as session:
            process = session.scalar(select(Process).where(Process.name == "dunning"))
            late = SYSTEM_CLOCK.now() - timedelta(hours=2) if n == 0 else None
            item = transitions.create(session, process.input_queue,
                                      transitions.NewItem({"customer": customers[n], "level": 1 + n % 3},
                                                          f"DUN-2026-12-{n}", deadline=late),
                                      Actor("system", "erp-sync"), process_id=process.id)
            b.item_times[item.id] = parse_time(20 - 3 * n)

    for n in range(5):
        at(20 - 3 * n)(lambda n=n: dunning_item(n))
    for hours in [*range(24, 0, -1), 0.5, 0.1]:  # the scheduler's queue-depth samples
        at(hours + 0.01)(lambda hours=hours: b.sample_depths(hours))

    for _, action in sorted(timeline, key=lambda event: -event[0]):
        action()
    b.move_back_in_time()
    return got


def render_screens(browser) -> dict[str, bytes]:
    """The screens bots upload when they fail (or to prove a deposit): rendered by the same browser."""
    page = browser.new_page(viewport={"width": 600, "height": 360})
    screens = {}
    for name, portal, number, amount, po, po_class, error in (
            ("po_missing_0412", "Fournisseurs Plus", "F-2026-0412", "1 234,50 €", "", "bad",
             "Purchase order number is required for this customer."),
            ("po_missing_0409", "Fournisseurs Plus", "F-2026-0409", "88,20 €", "", "bad",
             "Purchase order number is required for this customer."),
            ("amount_0415", "Fournisseurs Plus", "F-2026-0415", "1 204,00 €", "PO-88415", "",
             "The invoice amount (1 204,00 €) differs from the order total (1 240,00 €)."),
            ("chorus", "Chorus Pro", "F-2026-0431", "980,00 €", "ENG-2026-0112", "",
             "Deposit accepted: flux CPP-2026-771204")):
        html = FAILING_SCREEN.format(portal=portal, invoice=number, amount=amount, po=po, po_class=po_class,
                                     error=error)
        if name == "chorus":
            html = html.replace("#fdecea", "#e8f5e9").replace("#c62828;", "#1b5e20;")
        page.set_content(html)
        screens[name] = page.screenshot()
    page.close()
    return screens


def login(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def shoot(browser, base: str, out: Path, ids: dict[str, int], scheme: str) -> list[Path]:
    suffix = "" if scheme == "light" else "-dark"
    saved: list[Path] = []
    contexts = {}

    def page_for(user: str) -> Page:
        if user not in contexts:
            context = browser.new_context(viewport={"width": 1360, "height": 900}, color_scheme=scheme,
                                          locale="en-GB", timezone_id="Europe/Paris")
            page = context.new_page()
            login(page, base, user)
            contexts[user] = (context, page)
        return contexts[user][1]

    def save(page: Page, name: str, full: bool = True) -> None:
        page.wait_for_load_state("networkidle")
        path = out / f"{name}{suffix}.png"
        page.screenshot(path=str(path), full_page=full)
        saved.append(path)
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}", flush=True)

    page = page_for("olga")
    page.goto(base + "/")
    page.wait_for_function("() => window.Chart && document.querySelectorAll('canvas').length"
                           " && [...document.querySelectorAll('canvas')].every(c => window.Chart.getChart(c))")
    page.wait_for_timeout(800)  # let the charts finish their animation
    save(page, "dashboard")
    page.goto(f"{base}/runs/{ids['live_run']}")
    expect(page.get_by_role("log")).to_contain_text("uploading the PDF")
    expect(page.get_by_role("img", name="screenshot-chorus-pro-deposit.png")).to_be_visible()
    save(page, "run-live-console")
    page.goto(base + "/runs")
    save(page, "runs")

    page = page_for("hana")
    page.goto(base + "/inbox")
    card = page.get_by_role("article", name=f"Item {ids['po_item']}")
    if card.get_by_role("button", name="Claim").count():  # claimed already in the light pass
        card.get_by_role("button", name="Claim").click()
    card = page.get_by_role("article", name=f"Item {ids['po_item']}")
    expect(card).to_contain_text("Claimed by hana")
    expect(card.get_by_role("img", name="Screenshot of the failing screen")).to_be_visible()
    card.get_by_label("po", exact=True).fill("PO-88412")
    page.evaluate("window.scrollTo(0, 0)")
    save(page, "inbox")
    page.goto(f"{base}/items/{ids['fixed_item']}")
    save(page, "item")

    page = page_for("ida")
    page.goto(base + "/schedules")
    save(page, "schedules")
    page.goto(base + "/runners")
    save(page, "runners")
    page.goto(base + "/credentials")
    save(page, "credentials")

    page = page_for("vera")
    page.goto(base + "/audit")
    save(page, "audit", full=False)

    for context, _ in contexts.values():
        context.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--no-dark", action="store_true", help="light theme only")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="arfleet-docs-"))
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'arfleet.db'}",
                        master_key=base64.b64encode(os.urandom(32)).decode())
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    engine.dispose()
    app = create_app(settings)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        ids = build(app, render_screens(browser))
        server = serve(app)
        try:
            for scheme in ("light",) if args.no_dark else ("light", "dark"):
                shoot(browser, server.url, args.out, ids, scheme)
        finally:
            server.stop()
            browser.close()
            app.extensions["arfleet"].engine.dispose()
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
