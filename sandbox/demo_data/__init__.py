"""A seeded, reproducible demo company: customers across segments with French names and
addresses (Faker fr_FR), twelve months of invoices, the payments their behaviour produces, the
seeds of the ERP, the supplier portals and Chorus Pro, and the ground truth to score bots with.

``generate(seed, customers)`` returns the whole as a dict; ``write(directory, seed, customers)``
writes it as JSON files. Same seed and size: byte-identical JSON. Money is written as strings
("1234.50"), dates as "YYYY-MM-DD".
"""
from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from faker import Faker

from sandbox.demo_data import identifiers
from sandbox.demo_data.channels import chorus_pro_seed, portal_seed
from sandbox.demo_data.customers import make_customers
from sandbox.demo_data.documents import ground_truth as documents_truth
from sandbox.demo_data.documents import write as write_documents
from sandbox.demo_data.invoices import make_invoices
from sandbox.demo_data.money import to_json
from sandbox.demo_data.settlement import allocations_json, is_applied, payment_json, settle

__all__ = ["DEFAULT_AS_OF", "USERS", "dumps", "generate", "write"]

DEFAULT_AS_OF = date(2026, 11, 20)
USERS = [
    {"username": "c.martin", "password": "demo-clerk-2026", "full_name": "Camille Martin"},
    {"username": "rpa.cash", "password": "demo-bot-2026", "full_name": "RPA bot (cash application)"},
]
FILES = ("erp", "payments", "portal_a", "portal_b", "chorus_pro", "ground_truth", "documents")


def _company() -> dict:
    rng = random.Random("arfleet demo company")
    siren = identifiers.siren(rng)
    iban, bic = identifiers.iban("FR", rng, "30004")
    return {
        "name": "Maintenance Industrielle Démo SAS", "siren": siren, "siret": identifiers.siret(siren, rng),
        "vat_number": identifiers.fr_vat(siren), "iban": iban, "bic": bic,
        "email": "comptabilite.clients@mid-demo.example", "phone": "+33 4 72 00 00 00",
        "address": {"line1": "12 rue des Ateliers", "line2": "ZI de la Plaine", "postcode": "69100",
                    "city": "Villeurbanne", "country": "FR"},
    }


def _open_items(documents, payments) -> list[dict]:
    open_amounts = {d.number: d.signed_gross for d in documents}
    for payment in payments:
        for line in payment.lines:
            open_amounts[line.invoice.number] -= line.allocate
    return [{"invoice": d.number, "customer_code": d.profile.code, "open_amount": to_json(open_amounts[d.number])}
            for d in documents if open_amounts[d.number] != 0]


def generate(seed: int, customers: int, as_of: date | None = None) -> dict:
    """The demo company for ``seed`` with ``customers`` customers, seen on ``as_of``
    (default ``DEFAULT_AS_OF``; invoices cover the 12 months before it)."""
    as_of = as_of or DEFAULT_AS_OF
    start = as_of - timedelta(days=364)
    rng = random.Random(seed)
    fakers = {}
    for offset, locale in enumerate(("fr_FR", "de_DE", "it_IT")):
        fakers[locale] = Faker(locale)
        fakers[locale].seed_instance(seed * 10 + offset)
    as_of_dt = datetime.combine(as_of, time(18, 0), UTC)
    profiles = make_customers(rng, fakers, customers, as_of_dt)
    invoices = make_invoices(rng, profiles, start, as_of)
    payments, credit_notes, promises = settle(rng, invoices, start, as_of)
    for invoice in invoices:
        if invoice.number in promises:
            promised_on, amount = promises[invoice.number]
            invoice.promise = {"date": promised_on.isoformat(), "amount": to_json(amount)}
    documents = sorted(invoices + credit_notes, key=lambda d: (d.issue_date, d.number))
    applied = [p for p in payments if is_applied(p, as_of)]
    erp = {
        "company": _company(),
        "users": USERS,
        "customers": [p.record for p in profiles],
        "invoices": [d.record() for d in documents],
        "payments": [
            {"customer_code": p.profile.code, "date": p.date.isoformat(), "amount": to_json(p.amount),
             "currency": "EUR", "payer": p.payer_name, "bank_reference": p.bank_reference, **allocations_json(p)}
            for p in applied
        ],
    }
    data = {
        "meta": {"seed": seed, "customers": customers, "as_of": as_of.isoformat(), "start": start.isoformat()},
        "erp": erp,
        "payments": [payment_json(p, as_of) for p in payments],
        "portal_a": portal_seed(invoices, "portal_a"),
        "portal_b": portal_seed(invoices, "portal_b"),
        "chorus_pro": chorus_pro_seed(profiles),
        "ground_truth": {
            "customers": [
                {"code": p.code, "segment": p.segment, "behaviour": p.behaviour,
                 "parent_code": p.parent.code if p.parent else None, "payer_name": p.payer_name,
                 "payer_iban": p.payer_iban}
                for p in profiles
            ],
            "payments": [
                {"payment_id": p.payment_id, "bank_reference": p.bank_reference, "customer_code": p.profile.code,
                 "amount": to_json(p.amount), "paid_by_parent": p.by_parent, "remittance_noise": p.remittance_noise,
                 "applied_in_erp": is_applied(p, as_of), **allocations_json(p)}
                for p in payments
            ],
            "invoice_events": [{"invoice": d.number, "events": d.tags} for d in invoices if d.tags],
            "erp_open_items": _open_items(documents, applied),
            "open_items_after_all_payments": _open_items(documents, payments),
        },
    }
    data["documents"] = documents_truth(data)
    return data


def dumps(data: dict) -> str:
    """The JSON text the generator writes (stable: same data, same bytes)."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write(directory: str | Path, seed: int, customers: int, as_of: date | None = None) -> dict[str, Path]:
    """Write ``demo_data.json`` (everything) and one file per section (``erp.json`` for
    ``python -m sandbox.erp --seed``, ``portal_a.json``…, ``documents.json`` the documents'
    ground truth) into ``directory``, and the documents themselves under ``documents/``; return
    the paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    data = generate(seed, customers, as_of)
    paths = {"demo_data": directory / "demo_data.json"}
    paths["demo_data"].write_text(dumps(data), encoding="utf-8")
    for name in FILES:
        paths[name] = directory / f"{name}.json"
        paths[name].write_text(dumps(data[name]), encoding="utf-8")
    paths["documents_dir"] = write_documents(directory / "documents", data)
    return paths
