"""The practice ERP through HTTP, as a clerk (or a bot) uses it: login, customers, open items,
exports, the cash-application screen, disputes and promises, idle sessions."""
from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pdfplumber
import pytest

from sandbox.erp import create_app
from sandbox.erp.totals import invoice_totals
from tests.support.sandbox_web import ERP_ADMIN, FakeClock, csrf, erp_invoice, erp_seed


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(tmp_path, clock):
    app = create_app({"DATABASE": str(tmp_path / "erp.sqlite"), "SECRET_KEY": "test",
                      "ADMIN_TOKEN": ERP_ADMIN["X-Admin-Token"], "SLOW_LIST_S": 0, "CLOCK": clock})
    response = app.test_client().post("/_admin/seed", json=erp_seed(), headers=ERP_ADMIN)
    assert response.status_code == 200, response.get_json()
    return app


def login(client, username: str = "clerk", password: str = "s3cret-pass"):
    token = csrf(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


@pytest.fixture
def client(app):
    client = app.test_client()
    assert login(client).status_code == 302
    return client


def state(client) -> dict:
    return client.get("/_admin/state", headers=ERP_ADMIN).get_json()


def open_amount(client, number: str) -> str | None:
    return next((o["open_amount"] for o in state(client)["open_items"] if o["invoice"] == number), None)


def test_pages_need_a_login_and_a_wrong_password_is_refused(app):
    client = app.test_client()
    response = client.get("/open-items?customer=C2")
    assert response.status_code == 302 and "/login" in response.headers["Location"]

    refused = login(client, password="wrong")
    assert refused.status_code == 401
    assert "Unknown user name or wrong password." in refused.get_data(as_text=True)

    no_token = client.post("/login", data={"username": "clerk", "password": "s3cret-pass"})
    assert no_token.status_code == 400  # CSRF protection, as on the real site

    response = login(client)
    assert response.status_code == 302
    assert "Good day, Camille Martin" in client.get("/").get_data(as_text=True)


def test_admin_endpoints_need_the_token(app):
    client = app.test_client()
    assert client.get("/_admin/state").status_code == 403
    assert client.get("/_admin/state", headers={"X-Admin-Token": "nope"}).status_code == 403
    assert client.put("/_admin/faults", json={"slow_ms": 0}, headers=ERP_ADMIN).status_code == 200


def customer_form(token: str, **overrides) -> dict:
    form = {
        "csrf_token": token, "code": "C9", "legal_name": "Garage Moreau SAS", "category": "sme",
        "siren": "732829320", "siret": "73282932000075", "vat_number": "FR44732829320",
        "address_line1": "5 avenue Jean Jaurès", "postcode": "38000", "city": "Grenoble", "country": "FR",
        "payment_terms_days": "30", "credit_limit": "15000", "invoice_channel": "email",
        "billing_email": "compta@moreau.example", "dunning_language": "fr",
        "ibans": "FR76 3000 4000 0300 0123 4567 897",
    }
    return {**form, **overrides}


def test_customer_with_a_bad_siret_is_refused_and_a_good_one_saved(client):
    token = csrf(client.get("/customers/new").get_data(as_text=True))
    refused = client.post("/customers/new", data=customer_form(token))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "SIRET 73282932000075 is not valid" in page
    assert 'id="siret" name="siret"' in page and 'aria-invalid="true" aria-describedby="siret-error"' in page
    assert client.get("/customers/C9").status_code == 404

    saved = client.post("/customers/new", data=customer_form(token, siret="73282932000074"))
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/customers/C9")
    page = client.get("/customers/C9").get_data(as_text=True)
    assert "Garage Moreau SAS" in page and "73282932000074" in page and "FR7630004000030001234567897" in page


def test_customer_vat_and_iban_and_terms_are_checked(client):
    token = csrf(client.get("/customers/new").get_data(as_text=True))
    page = client.post("/customers/new", data=customer_form(
        token, siret="", vat_number="FR45732829320", ibans="FR7630004000030001234567890", payment_terms_days="75",
    )).get_data(as_text=True)
    assert "VAT number FR45732829320 is not valid." in page
    assert "IBAN FR7630004000030001234567890 is not valid" in page
    assert "Payment terms over 60 days are not allowed (Code de commerce L441-10)." in page


def rows_of(html: str) -> list[str]:
    return re.findall(r'<a href="/invoices/(FA\d{4}-\d{5})">', html)


def test_open_items_come_50_a_page_with_filters(client):
    page = client.get("/open-items?customer=C1").get_data(as_text=True)
    assert 'role="status"' in page and "Loading open items" in page and "/open-items/list?" in page

    first = client.get("/open-items/list?customer=C1").get_data(as_text=True)
    assert "62 open items" in first and "Page 1 of 2" in first
    assert len(rows_of(first)) == 50
    assert 'href="/open-items?page=2&amp;customer=C1"' in first
    second = client.get("/open-items/list?customer=C1&page=2").get_data(as_text=True)
    assert len(rows_of(second)) == 12 and "Page 2 of 2" in second
    assert not set(rows_of(first)) & set(rows_of(second))

    by_name = client.get("/open-items/list?customer=boulangerie").get_data(as_text=True)
    assert sorted(rows_of(by_name)) == ["FA2026-00101", "FA2026-00102", "FA2026-00103", "FA2026-00104"]
    window = client.get(
        "/open-items/list?customer=C2&due_after=2026-09-01&due_before=2026-11-14").get_data(as_text=True)
    assert rows_of(window) == ["FA2026-00102", "FA2026-00103"]
    overdue = client.get("/open-items/list?customer=C2&overdue_only=1").get_data(as_text=True)
    assert rows_of(overdue) == ["FA2026-00101", "FA2026-00102", "FA2026-00103"]
    assert "3 open items · total 2,100.00 EUR" in overdue


def read_table(sheet) -> tuple[list[str], list[tuple], tuple | None]:
    """The header row, data rows and Total row (if any) of an export, past its title block."""
    rows = list(sheet.iter_rows(values_only=True))
    header_index = next(i for i, row in enumerate(rows) if row[0] in ("Customer code", "Document number"))
    body = rows[header_index + 1:]
    if body and body[-1][0] == "Total":
        return list(rows[header_index]), body[:-1], body[-1]
    return list(rows[header_index]), body, None


def test_open_items_export_reads_back_with_the_right_totals(client):
    response = client.get("/exports/open-items.xlsx?customer=C2")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="open_items_2026-11-20.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header, rows, total = read_table(sheet)
    column = header.index("Open amount")
    assert [row[header.index("Document number")] for row in rows] == [
        "FA2026-00101", "FA2026-00102", "FA2026-00103", "FA2026-00104"]
    assert sum(Decimal(str(row[column])) for row in rows) == Decimal("2160.00")
    assert total[0] == "Total" and Decimal(str(total[column])) == Decimal("2160.00")
    assert rows[0][header.index("Days overdue")] == 142
    assert rows[0][header.index("Due date")].date() == date(2026, 7, 1)


def test_aged_balance_puts_amounts_in_their_buckets(client):
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/exports/aged-balance.xlsx?as_of=2026-11-20").data)).active
    header, rows, total = read_table(sheet)
    c2 = next(row for row in rows if row[0] == "C2")
    buckets = {name: Decimal(str(c2[header.index(name)]))
               for name in ("Not due", "1-30", "31-60", "61-90", ">90", "Total")}
    assert buckets == {"Not due": Decimal("60"), "1-30": Decimal("300"), "31-60": Decimal("600"),
                       "61-90": Decimal("0"), ">90": Decimal("1200"), "Total": Decimal("2160")}
    assert Decimal(str(total[header.index("Total")])) == Decimal("2160.00") + 62 * Decimal("120.00")


def test_new_invoices_export_lists_invoices_since_a_date_with_their_lines(client):
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/exports/new-invoices.xlsx?since=2026-10-15").data))
    assert workbook.sheetnames == ["New invoices", "Lines"]
    header, rows, _total = read_table(workbook["New invoices"])
    numbers = [row[header.index("Document number")] for row in rows]
    expected = [i["number"] for i in erp_seed()["invoices"] if i["issue_date"] >= "2026-10-15"]
    assert sorted(numbers) == sorted(expected) and "FA2026-00104" in numbers and "FA2026-00102" not in numbers
    c1_row = next(row for row in rows if row[header.index("Customer code")] == "C1")
    assert c1_row[header.index("Invoice channel")] == "Supplier portal A"
    assert c1_row[header.index("Portal supplier id")] == "SUP-123456"
    assert all(row[header.index("Issue date")].date() >= date(2026, 10, 15) for row in rows)
    line_header, lines, _ = read_table(workbook["Lines"])
    assert {line[0] for line in lines} == set(numbers)
    assert client.get("/exports/new-invoices.xlsx?since=yesterday").status_code == 400


DOCUMENT_COLUMNS = [
    "Document number", "Document type", "Issue date", "Due date", "Currency", "Net amount", "VAT amount",
    "Gross amount", "PO number", "Commitment number", "Service code", "Credited invoice",
    "Customer code", "Customer name", "Category", "SIREN", "SIRET", "VAT number",
    "Address", "Address (line 2)", "Postcode", "City", "Country", "Dunning language",
    "Invoice channel", "Portal supplier id", "Chorus Pro service code", "Billing e-mail",
]
LINE_COLUMNS = ["Document number", "Line", "Order line", "Description", "Quantity", "Unit price", "VAT rate",
                "VAT category", "Net amount"]


def distribution_seed() -> dict:
    """The small seed plus a public body on Chorus Pro and a Belgian customer, and a November
    invoice to each kind of customer: against a purchase order, to the public body (its service code
    left to the customer record's), abroad at 0 %, and one whose lines state their category and
    order line."""
    seed = erp_seed()
    terms = {"days": 30, "end_of_month": False}
    seed["customers"] += [
        {"code": "C3", "legal_name": "Commune de Clermont-Ferrand", "category": "public_body", "siren": "216301135",
         "siret": "21630113500010", "vat_number": None,
         "address": {"line1": "10 rue Philippe-Marcombes", "postcode": "63033", "city": "Clermont-Ferrand",
                     "country": "FR"},
         "payment_terms": terms, "credit_limit": "100000.00", "invoice_channel": "chorus_pro",
         "chorus_service_code": "SERV-FIN", "dunning_language": "fr", "ibans": []},
        {"code": "C4", "legal_name": "Brussels Tools SRL", "category": "foreign", "siren": None, "siret": None,
         "vat_number": "BE0991417796",
         "address": {"line1": "Rue Neuve 12", "line2": "Boîte 3", "postcode": "1000", "city": "Bruxelles",
                     "country": "BE"},
         "payment_terms": terms, "credit_limit": "30000.00", "invoice_channel": "email",
         "billing_email": "accounts@brussels-tools.example", "dunning_language": "en", "ibans": []},
    ]
    two_lines = [{"description": "Filtre hydraulique HF35", "quantity": "12", "unit_price": "8.50", "vat_rate": "20"},
                 {"description": "Intervention technicien (heure)", "quantity": "3.5", "unit_price": "85.00",
                  "vat_rate": "20"}]
    day, due = date(2026, 11, 16), date(2026, 12, 16)
    po_invoice = erp_invoice("FA2026-00301", "C1", "0", day, due, po_number="4500100042", lines=two_lines,
                             **_totals(two_lines))
    public = erp_invoice("FA2026-00302", "C3", "640.00", day, due, commitment_number="EJ2026000123")
    abroad_lines = [{"description": "Audit énergétique du site", "quantity": "1", "unit_price": "2400.00",
                     "vat_rate": "0"}]
    abroad = erp_invoice("FA2026-00303", "C4", "0", day, due, lines=abroad_lines, **_totals(abroad_lines))
    stated_lines = [{"description": "Formation sécurité électrique (jour)", "quantity": "2", "unit_price": "950.00",
                     "vat_rate": "0", "vat_category": "E", "order_line": 3}]
    stated = erp_invoice("FA2026-00304", "C2", "0", day, due, po_number="BC-2026-77", lines=stated_lines,
                         **_totals(stated_lines))
    seed["invoices"] += [po_invoice, public, abroad, stated]
    return seed


def _totals(lines: list[dict]) -> dict:
    totals = invoice_totals(
        (Decimal(line["quantity"]), Decimal(line["unit_price"]), Decimal(line["vat_rate"])) for line in lines)
    return {"total_net": str(totals.net), "total_vat": str(totals.vat), "total_gross": str(totals.gross)}


def _cell(value):
    """A cell as openpyxl reads it back, compared to the record's value."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def test_new_invoices_export_carries_each_customers_invoicing_details_and_the_lines(app, client):
    from sqlalchemy import select

    from sandbox.app_db import db
    from sandbox.erp.models import CATEGORIES, CHANNELS, Invoice

    assert client.post("/_admin/seed", json=distribution_seed(), headers=ERP_ADMIN).status_code == 200
    assert login(client).status_code == 302
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/exports/new-invoices.xlsx?since=2026-11-16").data))
    header, rows, total = read_table(workbook["New invoices"])
    line_header, lines, _ = read_table(workbook["Lines"])
    assert header == DOCUMENT_COLUMNS and line_header == LINE_COLUMNS
    exported = {row[0]: {name: _cell(value) for name, value in zip(header, row, strict=True)} for row in rows}
    exported_lines = [{name: _cell(value) for name, value in zip(line_header, line, strict=True)} for line in lines]

    with app.app_context():  # every value is the ERP's record, the customer's as the customer form has it
        invoices = db().scalars(select(Invoice).where(Invoice.issue_date >= date(2026, 11, 16))).all()
        assert sorted(exported) == sorted(i.number for i in invoices)
        for inv in invoices:
            customer = inv.customer
            assert exported[inv.number] == {
                "Document number": inv.number, "Document type": "Invoice", "Issue date": inv.issue_date,
                "Due date": inv.due_date, "Currency": inv.currency, "Net amount": inv.total_net,
                "VAT amount": inv.total_vat, "Gross amount": inv.total_gross, "PO number": inv.po_number,
                "Commitment number": inv.commitment_number, "Service code": inv.service_code,
                "Credited invoice": None, "Customer code": customer.code, "Customer name": customer.legal_name,
                "Category": CATEGORIES[customer.category], "SIREN": customer.siren, "SIRET": customer.siret,
                "VAT number": customer.vat_number, "Address": customer.address_line1,
                "Address (line 2)": customer.address_line2 or None, "Postcode": customer.postcode,
                "City": customer.city, "Country": customer.country, "Dunning language": customer.dunning_language,
                "Invoice channel": CHANNELS[customer.invoice_channel],
                "Portal supplier id": customer.portal_supplier_id,
                "Chorus Pro service code": customer.chorus_service_code, "Billing e-mail": customer.billing_email,
            }, inv.number
            assert [line for line in exported_lines if line["Document number"] == inv.number] == [
                {"Document number": inv.number, "Line": line.position, "Order line": line.order_line,
                 "Description": line.description, "Quantity": line.quantity, "Unit price": line.unit_price,
                 "VAT rate": line.vat_rate, "VAT category": line.vat_category, "Net amount": line.net}
                for line in inv.lines], inv.number
    assert Decimal(str(total[header.index("Gross amount")])) == sum(r["Gross amount"] for r in exported.values())

    # ... and what the seed said, or the ERP derived, in plain values
    po, public, abroad, stated = (exported[n] for n in ("FA2026-00301", "FA2026-00302", "FA2026-00303", "FA2026-00304"))
    assert (po["Category"], po["SIRET"], po["Invoice channel"], po["Portal supplier id"], po["PO number"]) == (
        "Large account", "73282932000074", "Supplier portal A", "SUP-123456", "4500100042")
    assert (public["Category"], public["SIREN"], public["SIRET"], public["VAT number"], public["Invoice channel"],
            public["Service code"], public["Chorus Pro service code"], public["Commitment number"]) == (
        "Public body", "216301135", "21630113500010", None, "Chorus Pro", None, "SERV-FIN", "EJ2026000123")
    assert [abroad[name] for name in ("Category", "SIRET", "VAT number", "Address", "Address (line 2)", "Postcode",
                                      "City", "Country", "Dunning language", "Invoice channel", "Billing e-mail")] \
        == ["Foreign", None, "BE0991417796", "Rue Neuve 12", "Boîte 3", "1000", "Bruxelles", "BE", "en", "E-mail",
            "accounts@brussels-tools.example"]
    assert stated["Category"] == "SME" and stated["Billing e-mail"] == "compta@petit.example"
    by_number = {}
    for line in exported_lines:
        by_number.setdefault(line["Document number"], []).append((line["Line"], line["Order line"], line["VAT rate"],
                                                                  line["VAT category"]))
    assert by_number["FA2026-00301"] == [(1, 1, 20, "S"), (2, 2, 20, "S")]  # against a PO: its lines in order
    assert by_number["FA2026-00302"] == [(1, None, 20, "S")]  # no PO, no order line
    assert by_number["FA2026-00303"] == [(1, None, 0, "AE")]  # 0 % to a business elsewhere in the EU
    assert by_number["FA2026-00304"] == [(1, 3, 0, "E")]  # as stated
    page = client.get("/invoices/FA2026-00303").get_data(as_text=True)
    assert '<abbr title="Reverse charge">AE</abbr>' in page


def test_a_lines_vat_category_must_go_with_its_rate(client):
    def refused(line: dict) -> str:
        new = erp_invoice("FA2026-00400", "C2", "0", date(2026, 11, 20), date(2026, 12, 20),
                          lines=[line], **_totals([line]))
        response = client.post("/_admin/invoices", json={"invoices": [new]}, headers=ERP_ADMIN)
        assert response.status_code == 400
        return response.get_json()["error"]

    line = {"description": "Audit", "quantity": "1", "unit_price": "100.00"}
    assert "S needs a positive rate" in refused({**line, "vat_rate": "0", "vat_category": "S"})
    assert "S needs a positive rate" in refused({**line, "vat_rate": "20", "vat_category": "AE"})
    assert "not one of S, Z, E, AE, K, G, O" in refused({**line, "vat_rate": "0", "vat_category": "X"})
    assert "not a line number" in refused({**line, "vat_rate": "20", "order_line": "first"})


def cash_form(client, customer: str) -> tuple[str, dict]:
    page = client.get(f"/cash-application?customer={customer}").get_data(as_text=True)
    key = re.search(r'name="form_key" value="([0-9a-f]+)"', page).group(1)
    return page, {"csrf_token": csrf(page), "customer_code": customer, "form_key": key, "payment_date": "2026-11-19",
                  "currency": "EUR", "payer": "BOULANGERIE PETIT", "bank_reference": "BR2026111900042"}


def test_cash_application_with_a_partial_allocation_and_a_write_off(client):
    page, form = cash_form(client, "C2")
    assert 'for="allocate-FA2026-00101">Allocate to FA2026-00101' in page
    form.update({
        "amount": "1,400.00",
        "allocate-FA2026-00101": "1200.00", "writeoff-FA2026-00101": "15.00", "reason-FA2026-00101": "bank_fees",
        "allocate-FA2026-00102": "215.00",
    })
    unbalanced = client.post("/cash-application", data={**form, "amount": "1450.00", "action": "review"})
    assert unbalanced.status_code == 422
    assert "difference 50.00" in unbalanced.get_data(as_text=True)

    review = client.post("/cash-application", data={**form, "action": "review"}).get_data(as_text=True)
    assert '<dialog id="confirm-dialog"' in review and "Confirm posting" in review
    assert "1,400.00 EUR" in review and "Bank fees" in review
    assert state(client)["payments"] == []  # nothing posted before the dialog is confirmed

    posted = client.post("/cash-application", data={**form, "action": "confirm"})
    assert posted.status_code == 302
    receipt = client.get(posted.headers["Location"]).get_data(as_text=True)
    number = re.search(r'id="confirmation-number">(CA2026-\d{6})<', receipt).group(1)
    assert "Payment posted" in receipt

    [payment] = state(client)["payments"]
    assert payment["confirmation_number"] == number and payment["amount"] == "1400.00"
    assert payment["allocations"] == [{"invoice": "FA2026-00101", "amount": "1200.00"},
                                      {"invoice": "FA2026-00102", "amount": "215.00"}]
    assert payment["write_offs"] == [{"invoice": "FA2026-00101", "amount": "15.00", "reason": "bank_fees"}]
    assert payment["posted_by"] == "clerk"
    assert open_amount(client, "FA2026-00101") is None  # cleared: 1,185.00 paid + 15.00 written off
    assert open_amount(client, "FA2026-00102") == "385.00"  # 600.00 - 215.00
    assert "385.00 EUR" in client.get("/invoices/FA2026-00102").get_data(as_text=True)

    again = client.post("/cash-application", data={**form, "action": "confirm"})  # a retried click
    assert again.headers["Location"].endswith(f"/payments/{number}")
    assert len(state(client)["payments"]) == 1


def test_cash_application_refuses_a_bank_reference_already_posted_and_an_over_allocation(client):
    _page, form = cash_form(client, "C2")
    form.update({"amount": "300.00", "allocate-FA2026-00103": "300.00", "action": "confirm"})
    assert client.post("/cash-application", data=form).status_code == 302

    _page, second = cash_form(client, "C2")
    second.update({"amount": "700.00", "allocate-FA2026-00102": "700.00", "action": "review"})
    page = client.post("/cash-application", data=second).get_data(as_text=True)
    assert "Bank reference BR2026111900042 was already posted on 2026-11-19 (confirmation CA2026-000001)." in page
    assert "FA2026-00102: 700.00 is more than the open amount 600.00." in page
    assert len(state(client)["payments"]) == 1


def test_dispute_flag_and_promise_to_pay(client):
    page = client.get("/invoices/FA2026-00102").get_data(as_text=True)
    client.post("/invoices/FA2026-00102/dispute",
                data={"csrf_token": csrf(page), "reason": "quantity", "comment": "2 pieces missing", "action": "flag"})
    client.post("/invoices/FA2026-00103/promise",
                data={"csrf_token": csrf(page), "promised_date": "2026-12-05", "amount": "300.00"})
    current = state(client)
    assert current["disputes"] == [{"invoice": "FA2026-00102", "customer_code": "C2", "reason": "quantity",
                                    "comment": "2 pieces missing", "opened_on": "2026-11-20", "opened_by": "clerk"}]
    assert [(p["invoice"], p["date"], p["amount"]) for p in current["promises"]] == [
        ("FA2026-00103", "2026-12-05", "300.00")]
    listed = client.get("/open-items/list?customer=C2").get_data(as_text=True)
    assert "Disputed" in listed and "Promise 2026-12-05" in listed


def test_customer_note(client):
    page = client.get("/customers/C2").get_data(as_text=True)
    client.post("/customers/C2/notes", data={"csrf_token": csrf(page), "note": "Rappelé le 20/11, paiement promis."})
    assert "Rappelé le 20/11, paiement promis." in client.get("/customers/C2").get_data(as_text=True)
    assert state(client)["notes"][0]["text"] == "Rappelé le 20/11, paiement promis."


def test_invoice_pdf_downloads(client):
    response = client.get("/invoices/FA2026-00101/pdf")
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="FA2026-00101.pdf"'
    with pdfplumber.open(io.BytesIO(response.data)) as pdf:
        text = pdf.pages[0].extract_text()
    assert "FA2026-00101" in text and "1,200.00" in text and "Boulangerie Petit SARL" in text


def test_session_expires_after_15_idle_minutes(client, clock):
    clock.now += timedelta(minutes=14)
    assert client.get("/open-items").status_code == 200
    clock.now += timedelta(minutes=14)  # 28 minutes after login, but never 15 idle
    assert client.get("/open-items").status_code == 200
    clock.now += timedelta(minutes=15, seconds=1)
    assert client.get("/open-items/list", headers={"X-Requested-With": "fetch"}).status_code == 401
    login_page = client.get("/customers", follow_redirects=True).get_data(as_text=True)
    assert "Log in" in login_page  # the 401 above already ended the session
    assert client.get("/open-items").status_code == 302


def test_expired_session_says_so_on_the_login_page(client, clock):
    clock.now += timedelta(minutes=16)
    response = client.get("/open-items?customer=C2")
    assert response.status_code == 302 and "next=/open-items?customer%3DC2" in response.headers["Location"]
    assert "Your session has expired" in client.get(response.headers["Location"]).get_data(as_text=True)
    login(client)
    assert client.get("/open-items").status_code == 200


def test_injected_early_logout_ends_an_active_session(client, clock):
    assert client.put("/_admin/faults", json={"session_max_age_s": 600}, headers=ERP_ADMIN).status_code == 200
    clock.now += timedelta(minutes=5)
    assert client.get("/open-items").status_code == 200
    clock.now += timedelta(minutes=5, seconds=1)  # never idle, but 10 minutes after login
    assert client.get("/open-items").status_code == 302


def test_invoices_list_and_invoices_added_by_the_admin_api(client):
    listed = client.get("/invoices/list?customer=C2").get_data(as_text=True)
    assert "4 documents" in listed and sorted(rows_of(listed)) == [
        "FA2026-00101", "FA2026-00102", "FA2026-00103", "FA2026-00104"]

    new = erp_invoice("FA2026-00200", "C2", "80.00", date(2026, 11, 20), date(2026, 12, 20), po_number="CMD-77")
    assert client.post("/_admin/invoices", json={"invoices": [new]}, headers=ERP_ADMIN).get_json() == {"added": 1}
    duplicate = client.post("/_admin/invoices", json={"invoices": [new]}, headers=ERP_ADMIN)
    assert duplicate.status_code == 400 and "duplicate" in duplicate.get_json()["error"]

    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/exports/new-invoices.xlsx?since=2026-11-20").data)).active
    header, rows, _total = read_table(sheet)
    assert [(row[header.index("Document number")], row[header.index("PO number")],
             Decimal(str(row[header.index("Gross amount")]))) for row in rows] == [
        ("FA2026-00200", "CMD-77", Decimal("96"))]


def test_admin_clock_moves_the_erp_into_the_future(client):
    moved = client.post("/_admin/clock", json={"advance_s": 15 * 60 + 1}, headers=ERP_ADMIN).get_json()
    assert moved["now"] == "2026-11-20T10:15:01+00:00"
    assert client.get("/open-items").status_code == 302


def test_relabelled_and_moved_buttons(client):
    client.put("/_admin/faults", json={"labels": {"cash.post": "Valider le règlement"}, "layout_variant": 1},
               headers=ERP_ADMIN)
    page = client.get("/cash-application?customer=C2").get_data(as_text=True)
    assert "Post payment" not in page
    assert page.index("Valider le règlement") < page.index('aria-label="Open items to allocate"')
