"""Portal A (Coupa-like): sign-in with TOTP, the upload form and its refusals, the list and its
statuses moving with the business clock, session expiry and faults; and a person's path in Chromium."""
from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pyotp
import pytest

from sandbox.portal_a import create_app
from tests.support.sandbox_web import ADMIN, advance, csrf, make_pdf, submissions, text_of

SECRET = pyotp.random_base32()
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SEED = {
    "users": [
        {"login": "acme-ar", "password": "s3cret!", "supplier_id": "SUP-001", "totp_secret": SECRET},
        {"login": "other-ar", "password": "other!", "supplier_id": "SUP-002", "totp_secret": pyotp.random_base32()},
    ],
    "purchase_orders": [
        {"po_number": "PO-1001", "supplier_id": "SUP-001", "buyer": "NorthBuy Logistics", "currency": "EUR",
         "lines": [{"description": "Pallets", "quantity": "10", "unit_price": "12.50"},
                   {"description": "Transport", "quantity": "1", "unit_price": "75.00"}]},
    ],
}
GOOD = {"po_number": "PO-1001", "invoice_number": "INV-2026-0042", "invoice_date": "2026-11-20",
        "amount_excl_tax": "200.00", "vat_amount": "40.00", "total_amount": "240.00", "currency": "EUR"}


@pytest.fixture
def app(tmp_path: Path):
    app = create_app({"DATABASE": str(tmp_path / "portal_a.db"), "ADMIN_TOKEN": "admin-secret",
                      "SECRET_KEY": "test", "CLOCK": lambda: NOW})
    assert app.test_client().post("/_admin/seed", json=SEED, headers=ADMIN).status_code == 200
    return app


def sign_in(client, login="acme-ar", password="s3cret!", secret=SECRET):
    page = client.get("/login")
    r = client.post("/login", data={"csrf_token": csrf(page.text), "login": login, "password": password})
    assert r.status_code == 302 and r.location.startswith("/login/verify"), r.text
    page = client.get(r.location)
    return client.post(r.location, data={"csrf_token": csrf(page.text), "totp_code": pyotp.TOTP(secret).now()})


@pytest.fixture
def client(app):
    client = app.test_client()
    assert sign_in(client).location == "/invoices"
    return client


def upload(client, pdf: bytes | None = None, filename="INV-2026-0042.pdf", **fields):
    form = client.get("/invoices/new")
    data = {"csrf_token": csrf(form.text), **GOOD, **fields,
            "invoice_pdf": (io.BytesIO(make_pdf() if pdf is None else pdf), filename)}
    return client.post("/invoices/new", data=data, content_type="multipart/form-data")


def test_wrong_totp_code_is_refused_and_right_one_signs_in(app):
    client = app.test_client()
    page = client.get("/login")
    assert client.post("/login", data={"csrf_token": csrf(page.text), "login": "acme-ar",
                                       "password": "wrong"}).status_code == 200
    r = client.post("/login", data={"csrf_token": csrf(page.text), "login": "acme-ar", "password": "s3cret!"})
    assert r.location == "/login/verify"
    totp = pyotp.TOTP(SECRET)
    now = datetime.now(UTC).timestamp()
    near = {totp.at(now + 30 * step) for step in range(-2, 4)}
    wrong = next(code for code in (f"{d}" * 6 for d in range(10)) if code not in near)
    page = client.get("/login/verify")
    r = client.post("/login/verify", data={"csrf_token": csrf(page.text), "totp_code": wrong})
    assert "Invalid verification code" in r.text
    assert client.get("/invoices").location.startswith("/login")  # still not signed in
    r = client.post("/login/verify", data={"csrf_token": csrf(page.text), "totp_code": totp.now()})
    assert r.location == "/invoices"
    assert "Invoices" in client.get("/invoices").text


def test_wrong_password_names_no_field(app):
    client = app.test_client()
    page = client.get("/login")
    r = client.post("/login", data={"csrf_token": csrf(page.text), "login": "acme-ar", "password": "nope"})
    assert "Invalid login or password." in r.text


def test_upload_gives_a_reference_and_keeps_the_pdf(client):
    pdf = make_pdf()
    r = upload(client, pdf)
    assert r.status_code == 302
    page = client.get(r.location)
    reference = re.search(r'id="submission-reference">([^<]+)<', page.text).group(1)
    assert re.fullmatch(r"CPA-2026-\d{6}", reference)
    [sub] = submissions(client)
    assert sub["reference"] == reference
    assert (sub["invoice_number"], sub["po_number"], sub["total"], sub["currency"]) == \
        ("INV-2026-0042", "PO-1001", "240.00", "EUR")
    assert sub["pdf"]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert Path(sub["pdf"]["path"]).read_bytes() == pdf
    assert sub["status"] == "received"


def test_duplicate_invoice_number_is_refused_with_a_visible_message(client):
    assert upload(client).status_code == 302
    r = upload(client, invoice_number="inv-2026-0042 ")  # same number, other case and spacing
    assert r.status_code == 200
    assert "Invoice number inv-2026-0042 has already been submitted" in text_of(r)
    assert len(submissions(client)) == 1


def test_another_supplier_may_use_the_same_invoice_number(app, client):
    assert upload(client).status_code == 302
    other = app.test_client()
    sign_in(other, "other-ar", "other!", SEED["users"][1]["totp_secret"])
    assert upload(other).status_code == 302
    assert {s["supplier_id"] for s in submissions(client)} == {"SUP-001", "SUP-002"}


@pytest.mark.parametrize("pdf, message", [
    (b"PK\x03\x04 this is a zip", "The file is not a PDF document."),
    (b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024), "The file exceeds the 10 MB limit."),
])
def test_a_file_that_is_not_an_acceptable_pdf_is_refused(client, pdf, message):
    r = upload(client, pdf)
    assert r.status_code == 200 and message in r.text
    assert submissions(client) == []


def test_amounts_that_do_not_add_up_are_refused(client):
    r = upload(client, total_amount="250.00")
    assert "Total must equal amount excl. tax plus VAT." in r.text
    r = upload(client, invoice_date="2026-12-01")
    assert "Invoice date cannot be in the future." in r.text
    assert submissions(client) == []


def test_statuses_advance_with_the_clock(client):
    assert upload(client).status_code == 302  # 200.00 = PO net total
    assert upload(client, invoice_number="INV-2026-0043", amount_excl_tax="150.00", vat_amount="30.00",
                  total_amount="180.00").status_code == 302
    assert upload(client, invoice_number="INV-2026-0044", po_number="PO-9999").status_code == 302
    def status():
        return {s["invoice_number"]: (s["status"], s["status_reason"]) for s in submissions(client)}
    assert set(status().values()) == {("received", None)}
    advance(client, 3599)
    assert set(status().values()) == {("received", None)}
    advance(client, 1)
    assert status() == {"INV-2026-0042": ("approved", None),
                        "INV-2026-0043": ("rejected", "Amount does not match PO"),
                        "INV-2026-0044": ("rejected", "PO number not found")}
    advance(client, 2 * 24 * 3600)
    assert status()["INV-2026-0042"] == ("paid", None)
    assert status()["INV-2026-0043"] == ("rejected", "Amount does not match PO")
    # The supplier sees it too, after signing in again (the idle session has long expired).
    assert sign_in(client).location == "/invoices"
    row = text_of(client.get("/invoices?invoice_number=0043"))
    assert "INV-2026-0043" in row and "Rejected" in row and "Amount does not match PO" in row
    assert "INV-2026-0042" not in row


def test_search_finds_a_submitted_invoice_and_says_when_none_match(client):
    upload(client)
    assert "INV-2026-0042" in client.get("/invoices?invoice_number=inv-2026-0042").text
    assert "No invoices match “INV-2026-9999”" in client.get("/invoices?invoice_number=INV-2026-9999").text


def test_sessions_end_after_15_idle_minutes(client):
    advance(client, 14 * 60)
    assert client.get("/invoices").status_code == 200
    advance(client, 15 * 60 + 1)
    r = client.get("/invoices")
    assert r.status_code == 302 and r.location.startswith("/login")
    assert "Your session has expired" in client.get(r.location).text


def test_early_logout_fault_relabelling_and_moved_button(client):
    page = client.get("/invoices/new").text
    assert page.index('id="po_number"') < page.index('id="submit-invoice"')
    faults = {"session_max_age_s": 60, "labels": {"submit_invoice": "Send"}, "layout_variant": 1}
    assert client.put("/_admin/faults", json=faults, headers=ADMIN).status_code == 200
    page = client.get("/invoices/new").text
    assert ">Send</button>" in page and "Submit invoice" not in page
    assert page.index('id="submit-invoice"') < page.index('id="po_number"')
    advance(client, 61)
    assert client.get("/invoices/new").location.startswith("/login")


def test_admin_api_needs_the_token(app):
    client = app.test_client()
    assert client.get("/_admin/submissions").status_code == 403
    assert client.post("/_admin/advance", json={"seconds": 5}, headers={"X-Admin-Token": "x"}).status_code == 403
    assert client.post("/_admin/seed", json={"users": [{"login": "x"}]}, headers=ADMIN).status_code == 400


@pytest.mark.browser
def test_a_person_uploads_an_invoice_in_chromium(app, live_server, page, tmp_path):
    from playwright.sync_api import expect

    pdf = tmp_path / "INV-2026-0042.pdf"
    pdf.write_bytes(make_pdf())
    server = live_server(app)
    page.goto(server.url + "/")
    page.get_by_label("Login").fill("acme-ar")
    page.get_by_label("Password").fill("s3cret!")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Verification code").fill(pyotp.TOTP(SECRET).now())
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Invoices")).to_be_visible()
    page.get_by_role("link", name="Create invoice").first.click()
    page.get_by_label("PO number").fill("PO-1001")
    page.get_by_label("Invoice number").fill("INV-2026-0042")
    page.get_by_label("Invoice date").fill("2026-11-20")
    page.get_by_label("Amount excl. tax").fill("200.00")
    page.get_by_label("VAT").fill("40.00")
    page.get_by_label("Total").fill("240.00")
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_label("Invoice PDF").set_input_files(pdf)
    page.get_by_role("button", name="Submit invoice").click()
    expect(page.get_by_role("heading", name="Invoice submitted")).to_be_visible()
    reference = page.locator("#submission-reference").inner_text()
    assert re.fullmatch(r"CPA-2026-\d{6}", reference)
    page.get_by_role("link", name="Back to invoices").click()
    row = page.get_by_role("row").filter(has_text="INV-2026-0042")
    expect(row).to_contain_text(reference)
    expect(row).to_contain_text("Received")
