"""The collect step against the practice ERP served over HTTP: the bot logs in as a clerk, downloads
the "New invoices" export (which carries each customer's invoicing details and the lines) and each
invoice's PDF — never a customer's screen — and writes one item per invoice that the deliver step
can turn into a valid Factur-X: the ERP's own records and the items agree, and the payloads are the
ones collect made when it read the customers' forms. The pure readers (workbook, letterhead,
payload) are checked on the ERP's real files."""
from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

import pytest
import requests

from bots.portal_upload.erp_export import (
    UnreadableExport,
    invoice_payload,
    item_reference,
    read_new_invoices,
    seller_from_invoice_pdf,
    since_for,
)
from bots.portal_upload.facturx_document import build_cii_xml
from bots.portal_upload.payload import job_from_payload
from bots.portal_upload.validate import validate_facturx
from tests.support.browser import CHROMIUM
from tests.support.portal_upload.sites import ADMIN_TOKEN, Site
from tests.support.portal_upload.task_runs import run_task

AS_OF = date(2026, 11, 25)
SINCE = AS_OF - timedelta(days=16)
AR_MAILBOX = "comptabilite.clients@mid-demo.example"


@cache
def demo() -> dict:
    from sandbox.demo_data import generate

    return generate(3, 10, AS_OF)


def expected_numbers(since: date) -> list[str]:
    documents = demo()["erp"]["invoices"]
    return [d["number"] for d in sorted(documents, key=lambda d: (d["issue_date"], d["number"]))
            if d["issue_date"] >= since.isoformat()]


@pytest.fixture
def erp(live_server, tmp_path) -> Site:
    from sandbox.erp import create_app

    app = create_app({"DATABASE": str(tmp_path / "erp.db"), "ADMIN_TOKEN": ADMIN_TOKEN, "SECRET_KEY": "test",
                      "SLOW_LIST_S": 0})
    app.config["REQUESTED_PATHS"] = paths = []
    served = app.wsgi_app

    def recording(environ, start_response):  # which screens the bot opened
        paths.append(environ.get("PATH_INFO", ""))
        return served(environ, start_response)

    app.wsgi_app = recording
    site = Site(live_server(app).url, app)
    site.admin("POST", "seed", json=demo()["erp"])
    return site


def clerk_session(erp: Site) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{erp.url}/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    user = demo()["erp"]["users"][1]
    session.post(f"{erp.url}/login", data={"csrf_token": token, "username": user["username"],
                                           "password": user["password"]}, timeout=10)
    return session


def customer_as_its_form_gave_it(code: str) -> dict:
    """The payload's customer as collect built it from the ERP's customer form (codes for the
    lists, empty fields as None), from the seed the ERP was given."""
    raw = next(c for c in demo()["erp"]["customers"] if c["code"] == code)
    address = raw["address"]
    return {"code": code, "legal_name": raw["legal_name"], "category": raw["category"], "siret": raw["siret"] or None,
            "siren": raw["siren"] or None, "vat_number": raw["vat_number"] or None,
            "address": {"line1": address["line1"], "line2": address.get("line2") or None,
                        "postcode": address["postcode"], "city": address["city"], "country": address["country"]},
            "invoice_channel": raw["invoice_channel"], "portal_supplier_id": raw["portal_supplier_id"] or None,
            "chorus_service_code": raw["chorus_service_code"] or None, "billing_email": raw["billing_email"] or None,
            "language": raw["dunning_language"]}


def invoice_as_collected_before(number: str) -> dict:
    """The payload's invoice as collect built it before the export had the lines' order line and
    VAT category (those two are compared with the ERP's records apart)."""
    raw = next(d for d in demo()["erp"]["invoices"] if d["number"] == number)
    customer = next(c for c in demo()["erp"]["customers"] if c["code"] == raw["customer_code"])
    return {"number": number, "kind": raw["kind"], "issue_date": raw["issue_date"], "due_date": raw["due_date"],
            "currency": raw["currency"], "po_number": raw["po_number"], "commitment_number": raw["commitment_number"],
            "service_code": raw["service_code"] or customer["chorus_service_code"],
            "credited_invoice": raw["credited_invoice"], "delivery_date": None, "total_net": raw["total_net"],
            "total_vat": raw["total_vat"], "total_gross": raw["total_gross"], "pdf": f"{number}.pdf",
            "lines": [(line["description"], Decimal(line["quantity"]), Decimal(line["unit_price"]),
                       Decimal(line["vat_rate"]), "C62") for line in raw["lines"]]}


def erp_lines(erp: Site) -> dict[str, list[tuple[int | None, str | None]]]:
    """(order line, VAT category) of every line, as the ERP keeps them."""
    from sqlalchemy import select

    from sandbox.app_db import db
    from sandbox.erp.models import Invoice

    with erp.app.app_context():
        return {inv.number: [(line.order_line, line.vat_category) for line in inv.lines]
                for inv in db().scalars(select(Invoice))}


def test_the_erps_export_and_pdf_make_the_same_payloads_and_valid_facturx(erp):
    session = clerk_session(erp)
    first_day = min(d["issue_date"] for d in demo()["erp"]["invoices"])
    workbook = session.get(f"{erp.url}/exports/new-invoices.xlsx", params={"since": first_day}, timeout=10)
    documents = read_new_invoices(workbook.content)

    assert [d.number for d in documents] == expected_numbers(date.fromisoformat(first_day))
    company = demo()["erp"]["company"]
    pdf = session.get(f"{erp.url}/invoices/{documents[0].number}/pdf", timeout=10).content
    seller = seller_from_invoice_pdf(pdf, AR_MAILBOX)
    assert seller == {"name": company["name"], "siret": company["siret"], "siren": company["siren"],
                      "vat_number": company["vat_number"], "iban": company["iban"], "bic": company["bic"],
                      "email": AR_MAILBOX, "phone": None,
                      "address": {**company["address"], "line2": company["address"]["line2"] or None}}
    recorded = erp_lines(erp)
    validated: set[str] = set()
    for document in documents:
        payload = invoice_payload(document, seller)
        assert payload["customer"] == customer_as_its_form_gave_it(document.customer_code)
        assert payload["seller"] == seller
        invoice = payload["invoice"]
        assert {**invoice, "lines": [(line["description"], Decimal(line["quantity"]), Decimal(line["unit_price"]),
                                      Decimal(line["vat_rate"]), line["unit_code"]) for line in invoice["lines"]]} \
            == invoice_as_collected_before(document.number)
        assert [(line["order_line"], line["vat_category"]) for line in invoice["lines"]] == recorded[document.number]
        assert all(line["order_line"] for line in invoice["lines"]) == bool(invoice["po_number"])
        job = job_from_payload(payload)  # what the deliver step reads
        if document.customer_code not in validated:  # one per customer: every category, channel, country
            validate_facturx(build_cii_xml(job), job.invoice.number)  # XSD and EN 16931 Schematron
            validated.add(document.customer_code)
    categories = {c for lines in recorded.values() for _, c in lines}
    assert categories == {"S", "AE"}  # the demo's foreign customer is invoiced at 0 %, reverse charged
    assert not [path for path in erp.app.config["REQUESTED_PATHS"] if path.startswith("/customers")]


def test_an_export_without_the_customers_details_is_unreadable(erp):
    from openpyxl import load_workbook

    session = clerk_session(erp)
    content = session.get(f"{erp.url}/exports/new-invoices.xlsx", params={"since": SINCE.isoformat()}, timeout=10)
    book = load_workbook(io.BytesIO(content.content))
    sheet = book["New invoices"]
    header_row = next(row for row in sheet.iter_rows() if row[0].value == "Document number")
    for cell in header_row:
        if cell.value == "Invoice channel":
            cell.value = "Channel"  # an ERP whose export was changed
    changed = io.BytesIO()
    book.save(changed)

    with pytest.raises(UnreadableExport, match="«Invoice channel»"):
        read_new_invoices(changed.getvalue())


def test_since_comes_from_the_input_or_looks_back_a_week():
    assert since_for({"since": "2026-11-02"}, AS_OF, 7) == date(2026, 11, 2)
    assert since_for({}, AS_OF, 7) == date(2026, 11, 18)
    assert item_reference("FA2026-00143", "portal_b") == "FA2026-00143:portal_b"


@pytest.mark.browser
def test_collect_writes_one_item_per_invoice_with_its_pdf_even_when_logged_out_midway(erp, tmp_path):
    erp.faults(session_max_age_s=1)  # the ERP ends the bot's session after a second, again and again
    secrets = tmp_path / "secrets.json"
    user = demo()["erp"]["users"][1]
    secrets.write_text(json.dumps({"erp_rpa.cash": {"username": user["username"], "password": user["password"]}}))
    numbers = expected_numbers(SINCE)
    customers = {c["code"]: c for c in demo()["erp"]["customers"]}
    seeded = {d["number"]: d for d in demo()["erp"]["invoices"]}
    earlier = item_reference(numbers[0], customers[seeded[numbers[0]]["customer_code"]]["invoice_channel"])
    env = {"RC_VAULT_SECRET_MANAGER": "FileSecrets", "RC_VAULT_SECRETS_FILE": str(secrets),
           "ARFLEET_TARGET_ERP_URL": erp.url, "ARFLEET_CHROMIUM": CHROMIUM, "ARFLEET_MAIL_FROM": AR_MAILBOX,
           "ARFLEET_BROWSER_TIMEOUT_MS": "8000", "ARFLEET_RETRY_DELAYS_S": "0,0",
           "ARFLEET_TEST_TAKEN_REFERENCES": earlier}  # collected by an earlier run: the queue refuses it

    releases, outputs, saved = run_task("collect", tmp_path, [{"payload": {"since": SINCE.isoformat()}}], env)

    assert [r["state"] for r in releases] == ["COMPLETED"]
    assert len(numbers) >= 3 and [o["payload"]["invoice"]["number"] for o in outputs] == numbers[1:]
    for output in outputs:
        payload = output["payload"]
        number = payload["invoice"]["number"]
        channel = customers[seeded[number]["customer_code"]]["invoice_channel"]
        assert payload["work_item_reference"] == f"{number}:{channel}"
        assert payload["customer"] == customer_as_its_form_gave_it(seeded[number]["customer_code"])
        assert set(output["files"]) == {f"{number}.pdf"}
        assert (tmp_path / "collect" / "out" / f"{number}.pdf").read_bytes().startswith(b"%PDF")
        job_from_payload(payload)
    assert saved[0]["payload"]["since"] == SINCE.isoformat()
    assert saved[0]["payload"]["collected"] == [o["payload"]["work_item_reference"] for o in outputs]
    assert saved[0]["payload"]["already_collected"] == [earlier]
    assert saved[0]["payload"]["latest_issue_date"] == max(seeded[n]["issue_date"] for n in numbers)
    opened = erp.app.config["REQUESTED_PATHS"]
    assert any(path.startswith("/exports") for path in opened) and any(path.startswith("/invoices/") for path in opened)
    assert not [path for path in opened if path.startswith("/customers")]  # no customer screen: the export says it all
