"""A clerk's main path through the practice ERP in Chromium, and the slow list's spinner."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from sandbox.erp import create_app
from tests.support.sandbox_web import ERP_ADMIN, FakeClock, erp_seed

pytestmark = pytest.mark.browser


def serve_erp(tmp_path, live_server, slow_list_s: float = 0):
    app = create_app({"DATABASE": str(tmp_path / "erp.sqlite"), "SECRET_KEY": "test",
                      "ADMIN_TOKEN": ERP_ADMIN["X-Admin-Token"], "SLOW_LIST_S": slow_list_s, "CLOCK": FakeClock()})
    assert app.test_client().post("/_admin/seed", json=erp_seed(), headers=ERP_ADMIN).status_code == 200
    return app, live_server(app)


def log_in(page: Page, url: str) -> None:
    page.goto(url + "/login")
    page.get_by_label("User name").fill("clerk")
    page.get_by_label("Password").fill("s3cret-pass")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Good day, Camille Martin")).to_be_visible()


def test_clerk_applies_a_payment_to_two_invoices(page: Page, tmp_path, live_server):
    app, server = serve_erp(tmp_path, live_server)
    log_in(page, server.url)

    menu = page.get_by_role("navigation", name="Main")
    menu.get_by_role("link", name="Open items").click()
    page.get_by_label("Customer (code, name or SIREN)").fill("Boulangerie")
    page.get_by_role("button", name="Search").click()
    table = page.get_by_role("table", name="Open items")
    expect(table.get_by_role("row")).to_have_count(5)  # header + 4 invoices
    expect(table).to_contain_text("FA2026-00101")

    menu.get_by_role("link", name="Cash application").click()
    page.get_by_label("Customer (code, name or SIREN)").fill("C2")
    page.get_by_role("button", name="Search open items").click()
    page.get_by_label("Payment date").fill("2026-11-19")
    page.get_by_label("Amount", exact=True).fill("1400.00")
    page.get_by_label("Payer").fill("BOULANGERIE PETIT")
    page.get_by_label("Bank reference").fill("BR2026111900042")
    page.get_by_label("Allocate to FA2026-00101").fill("1200.00")
    page.get_by_label("Write-off on FA2026-00101").fill("15.00")
    page.get_by_label("Write-off reason for FA2026-00101").select_option(label="Bank fees")
    page.get_by_label("Allocate to FA2026-00102").fill("215.00")
    expect(page.locator("#running-totals")).to_have_text(
        "Allocated 1415.00 · Write-offs 15.00 · Remaining to allocate 0.00")
    page.get_by_role("button", name="Post payment").click()

    dialog = page.get_by_role("dialog", name="Confirm posting")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("1,400.00 EUR")
    dialog.get_by_role("button", name="Confirm").click()

    status = page.get_by_role("status").filter(has_text="Confirmation number")
    expect(status).to_have_text(re.compile(r"Confirmation number: CA2026-\d{6}"))
    number = status.locator("strong").inner_text()

    state = app.test_client().get("/_admin/state", headers=ERP_ADMIN).get_json()
    [payment] = state["payments"]
    assert payment["confirmation_number"] == number
    assert [a["invoice"] for a in payment["allocations"]] == ["FA2026-00101", "FA2026-00102"]
    open_items = {o["invoice"]: o["open_amount"] for o in state["open_items"]}
    assert "FA2026-00101" not in open_items and open_items["FA2026-00102"] == "385.00"


def test_slow_list_shows_a_spinner_until_the_list_arrives(page: Page, tmp_path, live_server):
    _app, server = serve_erp(tmp_path, live_server, slow_list_s=1.0)
    log_in(page, server.url)
    page.goto(server.url + "/open-items?customer=C2")
    spinner = page.get_by_role("status").filter(has_text="Loading open items")
    expect(spinner).to_be_visible()
    expect(page.get_by_role("table", name="Open items")).to_have_count(0)
    expect(page.get_by_role("table", name="Open items")).to_be_visible(timeout=5000)
    expect(spinner).to_have_count(0)
