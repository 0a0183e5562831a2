"""Portal B (Ariba-like): login, the four-step invoice wizard (PO lookup that must match, lines
that cannot exceed the order, attachment, review), duplicate refusal, statuses moving with the
business clock and the three-way match; and a person's path in Chromium."""
from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sandbox.portal_b import create_app
from tests.support.sandbox_web import ADMIN, advance, csrf, make_pdf, submissions, text_of

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SEED = {
    "users": [
        {"login": "acme", "password": "pa55word", "supplier_id": "SUP-001"},
        {"login": "rival", "password": "rival-pw", "supplier_id": "SUP-002"},
    ],
    "purchase_orders": [
        {"po_number": "4500012345", "supplier_id": "SUP-001", "buyer": "Grands Magasins SA", "currency": "EUR",
         "lines": [{"description": "Shelving units", "quantity": "10", "unit_price": "45.00"},
                   {"description": "Installation", "quantity": "2", "unit_price": "120.00",
                    "received_quantity": "1"}]},
        {"po_number": "4500099999", "supplier_id": "SUP-002", "buyer": "Grands Magasins SA", "currency": "EUR",
         "lines": [{"description": "Paint", "quantity": "5", "unit_price": "9.90"}]},
    ],
}


@pytest.fixture
def app(tmp_path: Path):
    app = create_app({"DATABASE": str(tmp_path / "portal_b.db"), "ADMIN_TOKEN": "admin-secret",
                      "SECRET_KEY": "test", "CLOCK": lambda: NOW})
    assert app.test_client().post("/_admin/seed", json=SEED, headers=ADMIN).status_code == 200
    return app


def log_in(client, username="acme", password="pa55word"):
    page = client.get("/login")
    return client.post("/login", data={"csrf_token": csrf(page.text), "username": username, "password": password})


@pytest.fixture
def client(app):
    client = app.test_client()
    assert log_in(client).location == "/home"
    return client


def post_step(client, path: str, **data):
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code, page.location)
    return client.post(path, data={"csrf_token": csrf(page.text), **data},
                       content_type="multipart/form-data")


def create_invoice(client, invoice_number="F-2026-118", qty_1="4", qty_2="0", pdf=None, po="4500012345"):
    """Walk the wizard to the review page; answers the review step's response to Submit."""
    assert post_step(client, "/invoice/create", po_number=po).location == "/invoice/create/lines"
    r = post_step(client, "/invoice/create/lines", action="next", invoice_number=invoice_number,
                  invoice_date="2026-11-24", qty_1=qty_1, qty_2=qty_2)
    assert r.location == "/invoice/create/attachment", text_of(r)
    r = post_step(client, "/invoice/create/attachment", action="next",
                  invoice_pdf=(io.BytesIO(pdf or make_pdf()), "F-2026-118.pdf"))
    assert r.location == "/invoice/create/review", text_of(r)
    return post_step(client, "/invoice/create/review", action="next")


def test_wrong_password_is_refused(app):
    r = log_in(app.test_client(), password="nope")
    assert r.status_code == 200 and "The user name or password is incorrect." in r.text


@pytest.mark.parametrize("po", ["4500000000", "4500099999"])  # unknown; another supplier's
def test_a_po_that_is_not_the_suppliers_is_not_found(client, po):
    r = post_step(client, "/invoice/create", po_number=po)
    assert r.status_code == 200
    assert f"No purchase order {po} was found for your account." in r.text
    assert client.get("/invoice/create/lines").location == "/invoice/create"  # no step 2 without a PO


def test_wizard_submits_and_answers_a_document_number(client):
    pdf = make_pdf()
    r = create_invoice(client, pdf=pdf, qty_1="4", qty_2="1")
    assert r.status_code == 302
    page = client.get(r.location)
    reference = re.search(r'id="document-number">([^<]+)<', page.text).group(1)
    assert re.fullmatch(r"AR-DOC-\d{8}", reference)
    [sub] = submissions(client)
    assert sub["reference"] == reference and sub["po_number"] == "4500012345"
    assert [(line["line_no"], line["quantity"], line["amount"]) for line in sub["lines"]] == \
        [(1, "4", "180.00"), (2, "1", "120.00")]
    assert (sub["amount_excl_tax"], sub["vat"], sub["total"]) == ("300.00", "60.00", "360.00")
    assert sub["pdf"]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert Path(sub["pdf"]["path"]).read_bytes() == pdf
    # The draft is gone: a new invoice starts at step 1 with nothing filled in.
    assert 'value=""' in client.get("/invoice/create").text


def test_quantities_cannot_exceed_what_is_still_open(client):
    post_step(client, "/invoice/create", po_number="4500012345")
    r = post_step(client, "/invoice/create/lines", action="next", invoice_number="F-1", invoice_date="2026-11-24",
                  qty_1="11", qty_2="0")
    assert r.status_code == 200
    assert "Line 1: quantity 11 exceeds the 10 still open on the order (ordered 10)." in text_of(r)
    assert client.get("/invoice/create/attachment").location == "/invoice/create/lines"
    assert create_invoice(client, "F-2", qty_1="6").status_code == 302
    post_step(client, "/invoice/create", po_number="4500012345")
    r = post_step(client, "/invoice/create/lines", action="next", invoice_number="F-3", invoice_date="2026-11-24",
                  qty_1="5", qty_2="0")
    assert "Line 1: quantity 5 exceeds the 4 still open on the order (ordered 10)." in text_of(r)


def test_going_back_keeps_what_was_entered(client):
    assert post_step(client, "/invoice/create", po_number="4500012345").location == "/invoice/create/lines"
    post_step(client, "/invoice/create/lines", action="next", invoice_number="F-77", invoice_date="2026-11-24",
              qty_1="3", qty_2="")
    post_step(client, "/invoice/create/attachment", action="next", invoice_pdf=(io.BytesIO(make_pdf()), "f77.pdf"))
    r = post_step(client, "/invoice/create/review", action="back")
    assert r.location == "/invoice/create/attachment"
    assert "Attached: <strong>f77.pdf</strong>" in client.get(r.location).text
    r = post_step(client, "/invoice/create/attachment", action="back")
    lines = client.get(r.location).text
    assert 'value="F-77"' in lines and 'value="2026-11-24"' in lines and 'id="qty_1" name="qty_1"' in lines
    assert re.search(r'id="qty_1"[^>]*value="3"', lines)
    r = post_step(client, "/invoice/create/lines", action="back", invoice_number="F-78", invoice_date="2026-11-24",
                  qty_1="3", qty_2="")
    assert 'value="4500012345"' in client.get(r.location).text
    # Forward again: the attachment is still there, so the review can be reached directly.
    post_step(client, "/invoice/create", po_number="4500012345")
    post_step(client, "/invoice/create/lines", action="next", invoice_number="F-78", invoice_date="2026-11-24",
              qty_1="3", qty_2="")
    r = post_step(client, "/invoice/create/attachment", action="next")
    assert r.location == "/invoice/create/review"
    review = text_of(client.get(r.location))
    assert "F-78" in review and "f77.pdf" in review and "EUR 162.00" in review  # 135.00 + 20 % VAT


def test_attachment_must_be_a_pdf(client):
    post_step(client, "/invoice/create", po_number="4500012345")
    post_step(client, "/invoice/create/lines", action="next", invoice_number="F-1", invoice_date="2026-11-24",
              qty_1="1", qty_2="0")
    r = post_step(client, "/invoice/create/attachment", action="next",
                  invoice_pdf=(io.BytesIO(b"<html>not a pdf</html>"), "f.pdf"))
    assert "The file is not a PDF document." in r.text
    r = post_step(client, "/invoice/create/attachment", action="next")
    assert "Attach the invoice as a PDF file." in r.text


def test_duplicate_invoice_number_is_refused_at_submit(client):
    assert create_invoice(client, "F-2026-118", qty_1="1").status_code == 302
    r = create_invoice(client, "f-2026-118", qty_1="1")
    assert r.status_code == 200
    assert "Invoice number f-2026-118 has already been submitted" in text_of(r)
    assert len(submissions(client)) == 1


def test_statuses_advance_with_the_clock_and_the_three_way_match(client):
    assert create_invoice(client, "F-1", qty_1="2", qty_2="0").status_code == 302
    assert create_invoice(client, "F-2", qty_1="0", qty_2="2").status_code == 302  # only 1 received
    def status():
        return {s["invoice_number"]: (s["status"], s["status_reason"]) for s in submissions(client)}
    assert status() == {"F-1": ("received", None), "F-2": ("received", None)}
    advance(client, 4 * 3600)
    assert status() == {"F-1": ("approved", None),
                        "F-2": ("rejected", "Quantity invoiced exceeds quantity received (line 2)")}
    advance(client, 3 * 24 * 3600)
    assert status()["F-1"] == ("paid", None)
    assert log_in(client).location == "/home"  # the idle session expired meanwhile
    listing = text_of(client.get("/invoices?invoice=F-2"))
    assert "Rejected" in listing and "Quantity invoiced exceeds quantity received (line 2)" in listing
    assert "F-1<" not in listing
    # A rejected invoice frees its quantities for a new one.
    post_step(client, "/invoice/create", po_number="4500012345")
    lines = text_of(client.get("/invoice/create/lines"))
    assert re.search(r"<td>Installation</td> <td class=\"num\">2</td> <td class=\"num\">0</td>", lines)


def test_session_timeout_drops_the_draft(client):
    post_step(client, "/invoice/create", po_number="4500012345")
    advance(client, 15 * 60 + 1)
    r = client.get("/invoice/create/lines")
    assert r.location.startswith("/login")
    assert "Your session timed out. Please log in again." in client.get(r.location).text
    log_in(client)
    assert client.get("/invoice/create/lines").location == "/invoice/create"


def test_faults_rename_and_move_the_wizard_buttons(client):
    post_step(client, "/invoice/create", po_number="4500012345")
    page = client.get("/invoice/create/lines").text
    assert page.index('id="invoice_number"') < page.index('value="next"')
    faults = {"labels": {"next": "Continue"}, "layout_variant": 1}
    assert client.put("/_admin/faults", json=faults, headers=ADMIN).status_code == 200
    page = client.get("/invoice/create/lines").text
    assert page.index('value="next"') < page.index('id="invoice_number"')
    assert re.search(r'value="next" class="primary">Continue</button>', page)


@pytest.mark.browser
def test_a_person_submits_an_invoice_through_the_wizard_in_chromium(app, live_server, page, tmp_path):
    from playwright.sync_api import expect

    pdf = tmp_path / "F-2026-118.pdf"
    pdf.write_bytes(make_pdf())
    server = live_server(app)
    page.goto(server.url + "/")
    page.get_by_label("User name").fill("acme")
    page.get_by_label("Password").fill("pa55word")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Create Invoice").first.click()
    page.get_by_label("Purchase order number").fill("4500099999")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("alert")).to_have_text("No purchase order 4500099999 was found for your account.")
    page.get_by_label("Purchase order number").fill("4500012345")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("heading", name="Lines")).to_be_visible()
    page.get_by_label("Invoice #").fill("F-2026-118")
    page.get_by_label("Invoice date").fill("2026-11-24")
    page.get_by_label("Quantity to invoice for line 1").fill("4")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Invoice PDF").set_input_files(pdf)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Review and submit")).to_be_visible()
    page.get_by_role("button", name="Back").click()  # a second look at the lines, then forward again
    page.get_by_role("link", name="2. Lines").click()
    expect(page.get_by_label("Quantity to invoice for line 1")).to_have_value("4")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("cell", name="EUR 216.00")).to_be_visible()  # 180.00 + 20 % VAT
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", name="Your invoice has been submitted")).to_be_visible()
    reference = page.locator("#document-number").inner_text()
    assert re.fullmatch(r"AR-DOC-\d{8}", reference)
    page.get_by_role("link", name="View invoices").click()
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("F-2026-118")
    expect(row).to_contain_text("Received")
