"""Invoice distribution end to end: invoices issued in the practice ERP are collected by the real
bot under a real runner, each reaches its customer's channel — supplier portal A, supplier portal
B, Chorus Pro through its API, Chorus Pro through its web portal, e-mail (read back over IMAP),
the letter batch — and the sandbox's own records agree with the references kept on the work
items. Then the follow-up reads statuses until final. That one runs with the control room on
SQLite and on PostgreSQL. Faults (more in test_distribution_faults.py): a portal failing one request in
three, a portal logging the bot out mid-flow, and the bot killed right after submitting."""
from __future__ import annotations

import email
import json
import os
import signal
from datetime import datetime, timedelta
from email.policy import default as default_policy

import pytest
from imapclient import IMAPClient
from sqlalchemy import update

from bots.portal_upload.facturx_document import facturx_file_name, read_embedded_xml
from control_room.fleet.models import Process
from control_room.queue.models import WorkItem
from tests.support.distribution import (
    COLLECTED,
    DELIVERED,
    ON_BOTH_DATABASES,
    PROCESS,
    DistributionFleet,
    World,
    by_number,
    deliver_batch,
    explain,
    run_batch,
    seed_batch,
    submitted_once,
)
from tests.support.live_fleet import wait_until

pytestmark = pytest.mark.browser
FINAL = {"paid", "mise_en_paiement"}  # the sandbox's statuses after which nothing more happens
STOPPED = {"rejected", "rejetee", "suspendue"}  # the buyer turned it down: a person takes over


def inbox(world: World, address: str) -> list[email.message.EmailMessage]:
    password = world.credentials["mail_customers"][address.lower()]
    with IMAPClient(world.connection["mail"]["host"], world.connection["mail"]["imap_port"], ssl=False,
                    timeout=10) as imap:
        imap.login(address.lower(), password)
        imap.select_folder("INBOX", readonly=True)
        ids = imap.search()
        fetched = imap.fetch(ids, ["BODY.PEEK[]"]) if ids else {}
    return [email.message_from_bytes(fetched[i][b"BODY[]"], policy=default_policy) for i in ids]


@ON_BOTH_DATABASES  # the whole product on the scale-out database too
def test_a_batch_reaches_every_channel_and_the_sandboxs_records_agree(world, fleet):
    api_buyer, portal_buyer = world.customer("chorus_pro", 0), world.customer("chorus_pro", 1)
    mailed = next(c for c in world.demo["erp"]["customers"] if c["invoice_channel"] == "email" and c["billing_email"])
    customers = [world.customer("portal_a"), world.customer("portal_b"), api_buyer, portal_buyer, mailed,
                 world.customer("letter")]
    day = world.batch_day()
    seeded = seed_batch(world, day, "A", customers)
    numbers = [invoice["number"] for invoice in seeded]
    fleet.runner(chorus_pro_portal_buyers=portal_buyer["siret"])

    run = run_batch(fleet, day)

    assert [(s["step"], s["state"]) for s in run["steps"]] == [
        ("collect", "completed"), ("deliver", "completed"), ("follow_up", "completed")], explain(fleet)
    # collect: one item per invoice, with the ERP's PDF, unique reference = number + channel
    collected = by_number(fleet.items(COLLECTED))
    assert sorted(collected) == sorted(numbers)
    for customer, number in zip(customers, numbers, strict=True):
        item = collected[number]
        assert item.state == "done", (number, item.exception_code, item.exception_message)
        assert item.payload["work_item_reference"] == f"{number}:{customer['invoice_channel']}"
        assert item.files == [f"{number}.pdf"]
        assert item.payload["customer"]["code"] == customer["code"]
    # deliver: the reference each channel gave, kept on the item and on its output
    delivered = by_number(fleet.items(DELIVERED))
    assert sorted(delivered) == sorted(numbers)
    refs = {n: delivered[n].payload["delivery"]["reference"] for n in numbers}
    channels = {n: delivered[n].payload["channel"] for n in numbers}
    assert [channels[n] for n in numbers] == ["portal_a", "portal_b", "chorus_pro", "chorus_pro", "email", "letter"]
    for number in numbers:
        assert collected[number].payload["delivery"]["reference"] == refs[number]
        assert facturx_file_name(number) in delivered[number].files  # the Factur-X sent
    portal_a_number, portal_b_number, api_number, ui_number, mail_number, letter_number = numbers

    # the sandbox's records: each invoice arrived once, under the reference the bot recorded
    [on_a] = [s for s in world.submissions("portal_a") if s["invoice_number"] == portal_a_number]
    assert on_a["reference"] == refs[portal_a_number] and on_a["supplier_id"] == customers[0]["portal_supplier_id"]
    [on_b] = [s for s in world.submissions("portal_b") if s["invoice_number"] == portal_b_number]
    assert on_b["reference"] == refs[portal_b_number] and on_b["total"] == seeded[1]["total_gross"]
    flows = {f["numeroFluxDepot"]: f for f in world.flows()}
    assert flows[refs[api_number]]["nomFichier"] == facturx_file_name(api_number)
    assert flows[refs[api_number]]["mode"] != flows[refs[ui_number]]["mode"]  # one by the API, one on the portal
    assert flows[refs[ui_number]]["nomFichier"] == facturx_file_name(ui_number)
    ours = {facturx_file_name(api_number), facturx_file_name(ui_number)}
    assert sorted(n for n, f in flows.items() if f["nomFichier"] in ours) == sorted([refs[api_number], refs[ui_number]])
    [mail] = [m for m in inbox(world, mailed["billing_email"]) if m["Message-ID"] == refs[mail_number]]
    [attachment] = [p for p in mail.iter_attachments() if p.get_filename() == facturx_file_name(mail_number)]
    assert mail_number.encode() in read_embedded_xml(attachment.get_content())  # a Factur-X, with its XML
    [(manifest, entry)] = [(m, e) for m in world.print_batches.glob("letters-*.json")
                           for e in json.loads(m.read_text()) if e["invoice_number"] == letter_number]
    assert refs[letter_number] == f"{manifest.stem}.pdf p.{entry['first_page']}"

    # follow-up: what can come back is pending; e-mail and letter are final at once
    assert {n: delivered[n].state for n in numbers} == {
        portal_a_number: "new", portal_b_number: "new", api_number: "new", ui_number: "new",
        mail_number: "done", letter_number: "done"}
    for number in (portal_a_number, portal_b_number, api_number, ui_number):
        assert delivered[number].exception_code == "STATUS_PENDING" and delivered[number].attempts == 0

    # three days later (the sandbox's clocks moved; the hour's poll brought forward), the
    # scheduled follow-up reads the final statuses
    for app in ("portal_a", "portal_b", "chorus_pro"):
        world.admin(app, "POST", "advance", json={"seconds": 3 * 86400})
    with fleet.sessions.begin() as session:
        session.execute(update(WorkItem).where(WorkItem.state == "new").values(defer_until=None))
    follow = fleet.wait_run(fleet.start("invoice_follow_up", []), 180)
    assert follow["state"] == "completed", fleet.logs(follow)[-6000:]
    followed = by_number(fleet.items(DELIVERED))
    on_a = next(s for s in world.submissions("portal_a") if s["invoice_number"] == portal_a_number)
    on_b = next(s for s in world.submissions("portal_b") if s["invoice_number"] == portal_b_number)
    on_chorus = {i["numeroFacture"]: i["statut"] for f in world.flows() for i in f["factures"]}
    sandbox_says = {portal_a_number: on_a["status"], portal_b_number: on_b["status"],
                    api_number: on_chorus[api_number], ui_number: on_chorus[ui_number]}
    for number, status in sandbox_says.items():
        item = followed[number]
        assert item.payload["delivery"]["status"]["status"].lower() == status.lower(), (number, item.payload)
        assert item.payload["status_history"][-1]["status"].lower() == status.lower()
        expected = ("done" if status.lower() in FINAL else "exception" if status.lower() in STOPPED else "new")
        assert item.state == expected, (number, status, item.state, item.exception_code, item.exception_message)
        if expected == "exception":  # the buyer's reason, for the person who handles it
            assert number in item.exception_message and item.exception_code.startswith("INVOICE_")
    assert followed[mail_number].state == followed[letter_number].state == "done"


def sign_ins(world: World) -> int:
    """How many times someone completed portal A's two-step sign-in, from the portal's request log."""
    return world.sandbox.layout.log("portal_a").read_text(errors="replace").count("POST /login/verify")


def test_a_portal_failing_one_request_in_three_still_gets_each_invoice_once(world, fleet):
    customer = world.customer("portal_a")
    day = world.batch_day()
    numbers = [i["number"] for i in seed_batch(world, day, "F", [customer, customer])]
    fleet.runner()
    world.faults("portal_a", fail_one_in=3)
    try:
        deliver_batch(fleet, day)
    finally:
        world.faults("portal_a")
    collected = by_number(fleet.items(COLLECTED))
    assert {n: collected[n].state for n in numbers} == {n: "done" for n in numbers}, explain(fleet)
    references = submitted_once(world, "portal_a", numbers)
    assert {n: collected[n].payload["delivery"]["reference"] for n in numbers} == references


def delivered(fleet: DistributionFleet, run_id: int) -> bool:
    steps = {s["step"]: s["state"] for s in fleet.run(run_id)["steps"]}
    return steps.get("deliver") not in (None, "pending", "running")


def test_a_portal_logging_the_bot_out_mid_flow_gets_each_invoice_once(world, fleet):
    customer = world.customer("portal_a")
    day = world.batch_day()
    numbers = [i["number"] for i in seed_batch(world, day, "L", [customer, customer, customer])]
    fleet.runner()
    before = sign_ins(world)
    run_id = fleet.start(PROCESS, [{"payload": {"since": day.isoformat()}}])
    try:
        wait_until(lambda: any(s["invoice_number"] in numbers for s in world.submissions("portal_a")), 180,
                   "the first invoice on portal A", every=0.05)
        world.faults("portal_a", session_max_age_s=1)  # the portal ends the bot's session, now
        wait_until(lambda: sign_ins(world) - before >= 2 or delivered(fleet, run_id), 120,
                   "the bot to sign in again", every=0.05)
    finally:
        world.faults("portal_a")
    run = fleet.wait_step(run_id, "deliver")
    assert sign_ins(world) - before >= 2  # the deliver bot was logged out, signed in again and carried on
    assert [s["state"] for s in run["steps"][:2]] == ["completed", "completed"], explain(fleet)
    collected = by_number(fleet.items(COLLECTED))
    assert {n: collected[n].state for n in numbers} == {n: "done" for n in numbers}, explain(fleet)
    references = submitted_once(world, "portal_a", numbers)
    assert {n: collected[n].payload["delivery"]["reference"] for n in numbers} == references


def test_the_bot_killed_after_submitting_leaves_exactly_one_submission(world, fleet):
    customer = world.customer("portal_a")
    day = world.batch_day()
    [number] = [i["number"] for i in seed_batch(world, day, "K", [customer])]
    with fleet.sessions.begin() as session:  # back-off of 1 s instead of 2 min, so the rerun need not wait
        session.execute(update(Process).where(Process.name == PROCESS).values(retry_base_seconds=1))
    runner = fleet.runner()
    world.faults("portal_a", slow_ms=800)  # each page takes 0.8 s: time to catch the bot after its submit
    try:
        run_id = fleet.start(PROCESS, [{"payload": {"since": day.isoformat()}}])
        wait_until(lambda: any(s["invoice_number"] == number for s in world.submissions("portal_a")), 180,
                   "the bot to submit the invoice", every=0.05)
        [bot] = runner.bot_processes("deliver")
        os.killpg(os.getpgid(bot), signal.SIGKILL)  # before it saw the confirmation or released the item
    finally:
        world.faults("portal_a")
    # The runner saw its bot die and ended the step run; the control room settled the item the bot
    # held as an application failure (NOT_RELEASED), retried after the back-off — as a lease expiry
    # would have, had the whole machine gone.
    killed = fleet.wait_run(run_id, 120)
    assert killed["state"] == "failed" and killed["steps"][1]["exit_code"] == -signal.SIGKILL
    [item] = fleet.items(COLLECTED)
    assert item.state == "new" and item.exception_code == "NOT_RELEASED" and "delivery" not in item.payload
    assert fleet.items(DELIVERED) == []

    # The next run (nothing new to collect) takes the retried item: the bot finds the invoice on
    # the portal and records it instead of submitting it again.
    retry_at = datetime.fromisoformat(fleet.item(item.id)["defer_until"])
    wait_until(lambda: datetime.now(retry_at.tzinfo) >= retry_at, 30, "the back-off to pass")
    deliver_batch(fleet, day + timedelta(days=365))
    [item] = fleet.items(COLLECTED)
    assert item.state == "done", explain(fleet)
    assert item.payload["delivery"]["already_delivered"] is True
    assert submitted_once(world, "portal_a", [number]) == {number: item.payload["delivery"]["reference"]}
