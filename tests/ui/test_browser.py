"""Each role does its main job end to end in Debian's Chromium against a live control room.

The runner's side (claiming, log lines, artifacts, releasing items) goes through the real runner and
robot APIs, as a runner on a VM would."""
from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from control_room.fleet.models import Process
from control_room.inbox.models import LabelledExample
from control_room.queue.models import ItemState
from tests.support import ui_seed
from tests.support.seeds import PASSWORD, auth, declare, make_user, register_runner, user_token

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """Errors the page logs (a CSP violation, a failed script): the tests end by asserting none."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def login(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(base + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_ops_starts_a_run_and_watches_its_output_arrive(sqlite_app, live_server, page: Page, console_errors):
    sessions = sqlite_app.extensions["arfleet"].sessions
    declare(sessions, "invoices")
    make_user(sessions, "ops", "olga")
    server = live_server(sqlite_app)
    login(page, server.url, "olga")
    page.get_by_role("link", name="Runs").click()
    page.get_by_role("link", name="Start a run").click()
    page.get_by_label("Process").select_option(label="invoices")
    page.get_by_label("Payload").fill('{"invoice": "F-2026-001", "amount": "99.90"}')
    page.get_by_label("Reference").fill("F-2026-001")
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("invoices")
    expect(page.get_by_test_id("run-state")).to_have_text("pending")

    client = sqlite_app.test_client()  # the runner's side
    runner = register_runner(client, sessions, "vm-paris")
    claim = client.post("/api/v1/runners/assignments", json={"wait_seconds": 0}, headers=auth(runner)).get_json()
    step_run = claim["step_run_id"]
    expect(page.get_by_test_id("run-state")).to_have_text("running")
    console = page.get_by_role("log")
    client.post(f"/api/v1/step-runs/{step_run}/logs", headers=auth(runner),
                json={"lines": [{"seq": 0, "line": "Opening the supplier portal"},
                                {"seq": 1, "line": "Logged in as acme-ar"}]})
    expect(console).to_contain_text("Logged in as acme-ar")
    client.post(f"/api/v1/step-runs/{step_run}/logs", headers=auth(runner),
                json={"lines": [{"seq": 1, "line": "Logged in as acme-ar"},
                                {"seq": 2, "line": "Invoice F-2026-001 uploaded"}]})
    expect(console).to_contain_text("Invoice F-2026-001 uploaded")
    client.post(f"/api/v1/step-runs/{step_run}/artifacts", headers=auth(runner),
                data={"file": (io.BytesIO(ui_seed.PNG), "screenshot-portal.png")}, content_type="multipart/form-data")
    expect(page.get_by_role("img", name="screenshot-portal.png")).to_be_visible()
    token = claim["env"]["RC_API_WORKITEM_TOKEN"]
    release = (f"/process-v1/workspaces/arfleet/processes/{claim['env']['RC_PROCESS_ID']}/runs/"
               f"{claim['process_run_id']}/robotRuns/{step_run}/release-work-item")
    assert client.post(release, headers=auth(token), json={"workItemId": claim["env"]["RC_WORKITEM_ID"],
                                                            "state": "COMPLETED"}).status_code == 200
    client.post(f"/api/v1/step-runs/{step_run}/finish", headers=auth(runner), json={"exit_code": 0})
    expect(page.get_by_test_id("run-state")).to_have_text("completed")
    expect(console.locator(".line")).to_have_count(3)  # each line once, though the runner re-sent one
    page.reload()
    expect(page.get_by_role("row", name=re.compile("F-2026-001"))).to_contain_text("done")
    assert console_errors == []


def test_dashboard_updates_without_reloading(sqlite_app, live_server, page: Page, console_errors):
    fleet = ui_seed.build(sqlite_app)
    make_user(sqlite_app.extensions["arfleet"].sessions, "ops", "olga")
    server = live_server(sqlite_app)
    login(page, server.url, "olga")
    waiting = page.locator("#dashboard-panel section", has=page.get_by_role("heading", name="Exceptions waiting"))
    expect(waiting.get_by_role("row", name="PO_MISSING")).to_contain_text("1")
    expect(page.get_by_test_id("runners-busy")).to_have_text("1")
    sessions = sqlite_app.extensions["arfleet"].sessions
    with sessions.begin() as session:
        process = session.get(Process, fleet.process_id)
        ui_seed.escalate(session, process, {"invoice": "F-9"}, "F-9", code="DUPLICATE", priority=3)
    expect(waiting.get_by_role("row", name="DUPLICATE")).to_contain_text("1")  # no reload
    expect(page.get_by_test_id("runners-busy")).to_have_text("2")
    page.wait_for_function("() => window.Chart && Object.keys(window.Chart.instances).length === 4")
    assert console_errors == []


def test_handler_claims_fixes_and_retries_and_the_item_then_succeeds(sqlite_app, live_server, page: Page,
                                                                      console_errors):
    fleet = ui_seed.build(sqlite_app)
    sessions = sqlite_app.extensions["arfleet"].sessions
    make_user(sessions, "handler", "hana")
    server = live_server(sqlite_app)
    login(page, server.url, "hana")
    page.get_by_role("link", name="Exception inbox").click()
    card = page.get_by_role("article", name=f"Item {fleet.item_id}")
    expect(card).to_contain_text("No purchase order number on the invoice")
    expect(card.get_by_role("img", name="Screenshot of the failing screen")).to_be_visible()
    card.get_by_role("button", name="Claim").click()
    expect(card).to_contain_text("Claimed by hana")
    card.get_by_label("po", exact=True).fill("PO-778")
    card.get_by_role("button", name="Save and retry").click()
    expect(page.get_by_role("status")).to_contain_text(f"Item {fleet.item_id} resolved: retried")
    expect(page.get_by_role("article", name=f"Item {fleet.item_id}")).to_have_count(0)

    client = sqlite_app.test_client()  # the bot's next run picks the fixed item and succeeds
    ops = user_token(sessions, "ops")
    assert client.post("/api/v1/processes/invoices/runs", json={}, headers=auth(ops)).status_code == 201
    claim = client.post("/api/v1/runners/assignments", json={"wait_seconds": 0}, headers=auth("cred-vm-1")).get_json()
    env = claim["env"]
    assert env["RC_WORKITEM_ID"] == str(fleet.item_id)
    data = client.get(f"/json-v1/workspaces/arfleet/workitems/{fleet.item_id}/data",
                      headers=auth(env["RC_API_WORKITEM_TOKEN"])).get_json()
    assert data["po"] == "PO-778"
    release = (f"/process-v1/workspaces/arfleet/processes/{env['RC_PROCESS_ID']}/runs/{claim['process_run_id']}"
               f"/robotRuns/{claim['step_run_id']}/release-work-item")
    assert client.post(release, headers=auth(env["RC_API_WORKITEM_TOKEN"]),
                       json={"workItemId": str(fleet.item_id), "state": "COMPLETED"}).status_code == 200

    page.goto(f"{server.url}/items/{fleet.item_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("done")
    expect(page.get_by_role("row", name=re.compile("item.claimed"))).to_contain_text("user:hana")
    expect(page.get_by_role("row", name=re.compile("item.retried"))).to_contain_text("user:hana")
    assert ui_seed.item(sqlite_app, fleet.item_id).state is ItemState.DONE
    with sessions() as session:
        example = session.scalars(select(LabelledExample)).one()
        assert example.label["payload"]["po"] == "PO-778" and example.original["payload"]["po"] == ""
    assert console_errors == []


def test_it_creates_a_runner_token_and_a_secret_and_rotates_it(sqlite_app, live_server, page: Page,
                                                                 console_errors):
    sessions = sqlite_app.extensions["arfleet"].sessions
    declare(sessions, "invoices")
    make_user(sessions, "it", "ida")
    server = live_server(sqlite_app)
    login(page, server.url, "ida")
    page.get_by_role("link", name="Runners").click()
    page.get_by_role("button", name="Create a registration token").click()
    token = page.get_by_test_id("registration-token").inner_text().strip()
    assert token.startswith("reg_")
    answer = sqlite_app.test_client().post("/api/v1/runners/register",
                                           json={"token": token, "name": "vm-lyon", "labels": ["fr", "portal"]})
    assert answer.status_code == 201
    page.get_by_role("link", name="Runners").click()
    row = page.get_by_role("row", name=re.compile("vm-lyon"))
    expect(row).to_contain_text("online")
    expect(row).to_contain_text("fr, portal")
    expect(page.get_by_test_id("registration-token")).to_have_count(0)  # shown once

    value, rotated = "Portal-B-pass-31!", "Portal-B-pass-32!"
    page.get_by_role("link", name="Credentials").click()
    form = page.get_by_role("form", name="New secret")
    form.get_by_label("Name").fill("portal_b")
    form.get_by_label("Description").fill("Supplier portal B")
    form.get_by_label("invoices").check()
    form.get_by_label("Values").fill(f"login=acme-ar\npassword={value}")
    form.get_by_role("button", name="Create").click()
    row = page.get_by_role("row", name=re.compile("portal_b"))
    expect(row).to_contain_text("v1")
    expect(row).to_contain_text("never read")
    row.get_by_text("Rotate").first.click()
    row.get_by_label("New values").fill(f"login=acme-ar\npassword={rotated}")
    row.get_by_role("button", name="Rotate").click()
    expect(page.get_by_role("status")).to_contain_text("Secret portal_b rotated to version 2")
    expect(page.get_by_role("row", name=re.compile("portal_b"))).to_contain_text("v2")
    assert value not in page.content() and rotated not in page.content()
    with sessions.begin() as session:
        vault = sqlite_app.extensions["arfleet"].vault
        assert vault.read(session, "portal_b", "invoices", ui_seed.ADMIN)["password"] == rotated
    assert console_errors == []


def test_admin_creates_a_user_who_can_then_log_in(sqlite_app, live_server, page: Page, console_errors):
    make_user(sqlite_app.extensions["arfleet"].sessions, "admin", "root")
    server = live_server(sqlite_app)
    login(page, server.url, "root")
    page.get_by_role("link", name="Users").click()
    form = page.get_by_role("form", name="New user")
    form.get_by_label("Username").fill("nina")
    form.get_by_label("Password").fill("nina's long password")
    form.get_by_label("Role").select_option("handler")
    form.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("status")).to_contain_text("User nina created.")
    expect(page.get_by_label("Role of nina")).to_have_value("handler")
    page.get_by_role("button", name="Log out").click()
    login(page, server.url, "nina", "nina's long password")
    expect(page.get_by_role("link", name="Exception inbox")).to_be_visible()
    expect(page.get_by_role("link", name="Users")).to_have_count(0)
    assert console_errors == []


def test_viewer_is_refused_forbidden_pages_and_exports_the_audit_csv(sqlite_app, live_server, page: Page):
    ui_seed.build(sqlite_app)
    make_user(sqlite_app.extensions["arfleet"].sessions, "viewer", "vera")
    server = live_server(sqlite_app)
    login(page, server.url, "vera")
    expect(page.get_by_role("link", name="Exception inbox")).to_have_count(0)
    for path in ("/inbox", "/credentials", "/users", "/runs/new"):
        response = page.goto(server.url + path)
        assert response.status == 403, path
        expect(page.get_by_role("heading", level=1)).to_have_text("403 — Forbidden")
    page.goto(server.url + "/audit")
    page.get_by_label("Action").fill("item.failed")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("row", name=re.compile("item.failed"))).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert [r["action"] for r in rows] == ["item.failed"]
    assert rows[0]["actor_type"] == "run" and "PO_MISSING" in rows[0]["details"]
    page.get_by_role("button", name="Verify the hash chain").click()
    expect(page.get_by_role("status")).to_contain_text("Chain intact")


def test_a_form_with_a_forged_csrf_token_is_refused(sqlite_app, live_server, page: Page):
    sessions = sqlite_app.extensions["arfleet"].sessions
    declare(sessions, "invoices")
    make_user(sessions, "ops", "olga")
    server = live_server(sqlite_app)
    login(page, server.url, "olga")
    page.goto(server.url + "/runs/new")
    page.get_by_label("Process").select_option(label="invoices")
    page.locator("form.stack input[name=csrf_token]").evaluate("input => input.value = 'forged'")
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("400")
    expect(page.locator("main")).to_contain_text("CSRF")
    with sessions() as session:
        from control_room.fleet.models import ProcessRun

        assert session.scalars(select(ProcessRun)).all() == []


def test_the_language_choice_is_remembered(sqlite_app, live_server, page: Page, browser):
    make_user(sqlite_app.extensions["arfleet"].sessions, "ops", "olga")
    server = live_server(sqlite_app)
    page.goto(server.url + "/login")
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change language").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion à la salle de contrôle")
    page.get_by_label("Identifiant").fill("olga")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    # the choice was stored on the user: another browser, in English before login, gets French after
    other = browser.new_context(locale="en-GB")
    fresh = other.new_page()
    fresh.goto(server.url + "/login")
    expect(fresh.get_by_role("heading", level=1)).to_have_text("Log in to the control room")
    login_fr = fresh.get_by_role("button", name="Log in")
    fresh.get_by_label("Username").fill("olga")
    fresh.get_by_label("Password").fill(PASSWORD)
    login_fr.click()
    expect(fresh.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    fresh.get_by_label("Langue").select_option("en")
    fresh.get_by_role("button", name="Changer de langue").click()
    expect(fresh.get_by_role("heading", level=1)).to_have_text("Dashboard")
    other.close()
