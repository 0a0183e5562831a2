"""The demo company: reproducible to the byte, internally consistent (payments, invoices,
channel seeds), with identifiers that pass the real checks, and loadable by the ERP exactly."""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from schwifty import IBAN
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren, siret, tva

from sandbox.demo_data import dumps, generate, write
from sandbox.erp import create_app

SEED, CUSTOMERS = 7, 40
ADMIN = {"X-Admin-Token": "demo-admin"}


@pytest.fixture(scope="module")
def demo() -> dict:
    return generate(SEED, CUSTOMERS)


def test_same_seed_gives_byte_identical_json(tmp_path, demo):
    assert dumps(generate(SEED, CUSTOMERS)) == dumps(demo)
    other_process = subprocess.run(
        [sys.executable, "-c", "import hashlib; from sandbox.demo_data import dumps, generate; "
         f"print(hashlib.sha256(dumps(generate({SEED}, {CUSTOMERS})).encode()).hexdigest())"],
        env={**os.environ, "PYTHONHASHSEED": "12345"}, cwd=Path(__file__).resolve().parents[2],
        capture_output=True, text=True, check=True,
    )
    assert other_process.stdout.strip() == hashlib.sha256(dumps(demo).encode()).hexdigest()
    assert dumps(generate(SEED + 1, CUSTOMERS)) != dumps(demo)
    paths = write(tmp_path, SEED, CUSTOMERS)
    assert paths["demo_data"].read_text(encoding="utf-8") == dumps(demo)
    assert json.loads(paths["erp"].read_text(encoding="utf-8")) == demo["erp"]
    assert json.loads(paths["ground_truth"].read_text(encoding="utf-8")) == demo["ground_truth"]


def test_every_payment_balances_and_names_invoices_that_exist(demo):
    documents = {i["number"]: i for i in demo["erp"]["invoices"]}
    bank = {p["payment_id"]: p for p in demo["payments"]}
    cleared: Counter = Counter()
    assert len(demo["ground_truth"]["payments"]) == len(bank)
    for truth in demo["ground_truth"]["payments"]:
        payment = bank[truth["payment_id"]]
        allocated = sum(Decimal(a["amount"]) for a in truth["allocations"])
        written_off = sum(Decimal(w["amount"]) for w in truth["write_offs"])
        # The ERP's model: allocations clear the items, write-offs are the part not paid in cash.
        assert allocated - written_off == Decimal(payment["amount"]) > 0, truth["payment_id"]
        assert payment["bank_reference"] == truth["bank_reference"]
        allocated_to = {a["invoice"] for a in truth["allocations"]}
        for allocation in truth["allocations"]:
            document = documents[allocation["invoice"]]
            assert document["customer_code"] == truth["customer_code"]
            assert document["issue_date"] <= payment["date"]
            cleared[allocation["invoice"]] += Decimal(allocation["amount"])
        for write_off in truth["write_offs"]:
            assert write_off["invoice"] in allocated_to
            assert write_off["reason"] in ("bank_fees", "early_payment_discount", "short_payment")
    for number, amount in cleared.items():
        document = documents[number]
        gross = Decimal(document["total_gross"])
        assert (0 < amount <= gross) if document["kind"] == "invoice" else (-gross <= amount < 0), number
    assert len({p["bank_reference"] for p in demo["payments"]}) == len(demo["payments"])


def test_the_realistic_cases_are_all_there(demo):
    truth = demo["ground_truth"]
    customers = truth["customers"]
    assert {c["segment"] for c in customers} == {"large_account", "sme", "public_body", "foreign"}
    assert {c["behaviour"] for c in customers} == {"punctual", "chronically_late", "deteriorating", "disputing"}
    reasons = {w["reason"] for p in truth["payments"] for w in p["write_offs"]}
    assert reasons == {"bank_fees", "early_payment_discount", "short_payment"}
    assert any(p["paid_by_parent"] for p in truth["payments"])
    assert any(len(p["allocations"]) > 1 for p in truth["payments"])
    assert any(Decimal(a["amount"]) < 0 for p in truth["payments"] for a in p["allocations"])  # credit note netted
    paid_in_parts = Counter(a["invoice"] for p in truth["payments"] for a in p["allocations"])
    assert max(paid_in_parts.values()) >= 2  # instalments
    assert {p["remittance_noise"] for p in truth["payments"]} >= {"exact", "typo", "missing"}
    applied = [p["applied_in_erp"] for p in demo["payments"]]
    assert any(applied) and not all(applied)
    assert any(i["dispute"] for i in demo["erp"]["invoices"])
    assert any(i["promise_to_pay"] for i in demo["erp"]["invoices"])


def test_identifiers_pass_the_real_checks(demo):
    erp = demo["erp"]
    company = erp["company"]
    assert siret.is_valid(company["siret"]) and tva.is_valid(company["vat_number"])
    ibans = [company["iban"]] + [p["payer_iban"] for p in demo["payments"]]
    for customer in erp["customers"]:
        ibans += customer["ibans"]
        if customer["category"] == "foreign":
            assert eu_vat.is_valid(customer["vat_number"]) and customer["siren"] is None
            continue
        assert siren.is_valid(customer["siren"]), customer["code"]
        assert tva.is_valid(customer["vat_number"]) and customer["vat_number"].endswith(customer["siren"])
        if customer["siret"]:
            assert siret.is_valid(customer["siret"]) and customer["siret"].startswith(customer["siren"])
        if customer["category"] == "public_body":
            assert customer["siren"][0] in "12"
    for value in set(ibans):
        IBAN(value, validate_bban=True)  # raises when a check digit is wrong


def test_channel_seeds_match_the_invoices(demo):
    customers = {c["code"]: c for c in demo["erp"]["customers"]}
    invoices = [i for i in demo["erp"]["invoices"] if i["kind"] == "invoice"]
    for portal in ("portal_a", "portal_b"):
        orders = {o["po_number"]: o for o in demo[portal]["purchase_orders"]}
        sent = [i for i in invoices if customers[i["customer_code"]]["invoice_channel"] == portal]
        assert orders and sorted(orders) == sorted(i["po_number"] for i in sent)
        for invoice in sent:
            order, customer = orders[invoice["po_number"]], customers[invoice["customer_code"]]
            assert order["supplier_id"] == customer["portal_supplier_id"] and order["buyer"] == customer["legal_name"]
            assert [(line["description"], line["quantity"], line["unit_price"]) for line in order["lines"]] == [
                (line["description"], line["quantity"], line["unit_price"]) for line in invoice["lines"]]
    structures = {s["siret"]: s for s in demo["chorus_pro"]["structures"]}
    public = [c for c in customers.values() if c["category"] == "public_body"]
    assert sorted(structures) == sorted(c["siret"] for c in public)
    assert {s["service_code_required"] for s in structures.values()} == {True, False}
    for invoice in invoices:
        customer = customers[invoice["customer_code"]]
        if customer["invoice_channel"] != "chorus_pro":
            continue
        structure = structures[customer["siret"]]
        if structure["commitment_required"]:
            assert re.fullmatch(r"EJ\d{10}", invoice["commitment_number"])
        if structure["service_code_required"]:
            assert invoice["service_code"] in {s["code"] for s in structure["services"]}


def test_the_erp_loads_it_exactly_and_the_pending_payments_can_be_keyed_in(tmp_path, demo):
    app = create_app({"DATABASE": str(tmp_path / "erp.sqlite"), "SECRET_KEY": "t",
                      "ADMIN_TOKEN": ADMIN["X-Admin-Token"], "SLOW_LIST_S": 0, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    response = client.post("/_admin/seed", json=demo, headers=ADMIN)
    assert response.status_code == 200, response.get_json()
    erp = demo["erp"]
    assert response.get_json()["loaded"] == {"users": 2, "customers": len(erp["customers"]),
                                             "invoices": len(erp["invoices"]), "payments": len(erp["payments"])}

    def open_items() -> list[dict]:
        return client.get("/_admin/state", headers=ADMIN).get_json()["open_items"]

    def as_set(items: list[dict]) -> set:
        return {(o["invoice"], o["customer_code"], o["open_amount"]) for o in items}

    assert as_set(open_items()) == as_set(demo["ground_truth"]["erp_open_items"])

    user = erp["users"][1]
    client.post("/login", data={"username": user["username"], "password": user["password"]})
    bank = {p["payment_id"]: p for p in demo["payments"]}
    pending = [t for t in demo["ground_truth"]["payments"] if not t["applied_in_erp"]]
    for truth in pending:
        payment = bank[truth["payment_id"]]
        form = {"customer_code": truth["customer_code"], "payment_date": payment["date"], "amount": payment["amount"],
                "currency": "EUR", "payer": payment["payer_name"], "bank_reference": payment["bank_reference"],
                "action": "confirm"}
        for allocation in truth["allocations"]:
            form[f"allocate-{allocation['invoice']}"] = allocation["amount"]
        for write_off in truth["write_offs"]:
            form[f"writeoff-{write_off['invoice']}"] = write_off["amount"]
            form[f"reason-{write_off['invoice']}"] = write_off["reason"]
        response = client.post("/cash-application", data=form)
        assert response.status_code == 302, response.get_data(as_text=True)
    assert as_set(open_items()) == as_set(demo["ground_truth"]["open_items_after_all_payments"])
