"""What the sandbox apps' tests share. With a test client: read a form's CSRF token and a page's
text, make a small PDF to upload, move a portal's or Chorus Pro's clock through the admin API (token
``admin-secret``), list a portal's submissions. And the seeds more than one test file starts an app
with: the practice ERP's (with its fake clock) and Chorus Pro's (with its start time)."""
from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from reportlab.pdfgen import canvas

from sandbox.erp.totals import invoice_totals
from tests.support.facturx_invoices import BUYER_NAME, BUYER_SIRET, SUPPLIER_NAME, SUPPLIER_SIRET

ADMIN = {"X-Admin-Token": "admin-secret"}  # the portals' and Chorus Pro's admin API, in the tests


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def text_of(response) -> str:
    """The page's text with runs of white space folded."""
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def make_pdf(text: str = "Invoice") -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, text)
    c.save()
    return buf.getvalue()


def advance(client, seconds: float) -> None:
    assert client.post("/_admin/advance", json={"seconds": seconds}, headers=ADMIN).status_code == 200


def submissions(client) -> list[dict]:
    """A portal's submissions, as ``GET /_admin/submissions`` lists them."""
    return client.get("/_admin/submissions", headers=ADMIN).json["submissions"]


# --- the practice ERP -------------------------------------------------------------------------------
ERP_ADMIN = {"X-Admin-Token": "test-admin-token"}  # the practice ERP's admin API, in the tests


class FakeClock:
    """The ERP's clock in tests: starts on 2026-11-20 at 10:00 UTC, moves only when told."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def erp_invoice(number: str, customer: str, gross_net: str, issue: date, due: date, **extra) -> dict:
    """A one-line invoice at 20 % VAT."""
    totals = invoice_totals([(Decimal(1), Decimal(gross_net), Decimal(20))])
    return {
        "number": number, "kind": "invoice", "customer_code": customer, "issue_date": issue.isoformat(),
        "due_date": due.isoformat(), "currency": "EUR", "po_number": extra.pop("po_number", None),
        "commitment_number": None, "service_code": None, "credited_invoice": None,
        "lines": [{"description": "Intervention technicien", "quantity": "1", "unit_price": gross_net,
                   "vat_rate": "20"}],
        "total_net": str(totals.net), "total_vat": str(totals.vat), "total_gross": str(totals.gross), **extra,
    }


def erp_seed() -> dict:
    """The ERP's seed: two customers, C1 with 62 open invoices (for pages), C2 with four whose amounts
    and due dates the tests know."""
    customers = [
        {"code": "C1", "legal_name": "Durand Industrie SA", "category": "large_account", "siren": "732829320",
         "siret": "73282932000074", "vat_number": "FR44732829320",
         "address": {"line1": "1 rue de la Paix", "postcode": "75002", "city": "Paris", "country": "FR"},
         "payment_terms": {"days": 60, "end_of_month": False}, "credit_limit": "500000.00",
         "invoice_channel": "portal_a", "portal_supplier_id": "SUP-123456",
         "dunning_contact": {"name": "Anne Durand", "email": "anne.durand@durand.example", "phone": "01 02 03 04 05"},
         "dunning_language": "fr", "ibans": ["FR7630004000030001234567897"]},
        {"code": "C2", "legal_name": "Boulangerie Petit SARL", "category": "sme", "siren": "552100554",
         "vat_number": "FR96552100554",
         "address": {"line1": "3 place du Marché", "postcode": "69001", "city": "Lyon", "country": "FR"},
         "payment_terms": {"days": 30, "end_of_month": False}, "credit_limit": "20000.00",
         "invoice_channel": "email", "billing_email": "compta@petit.example", "dunning_language": "fr", "ibans": []},
    ]
    invoices = [
        erp_invoice(f"FA2026-{n:05d}", "C1", "100.00", date(2026, 9, 1) + timedelta(days=n % 60),
                    date(2026, 10, 1) + timedelta(days=n % 60))
        for n in range(1, 63)
    ]
    invoices += [
        erp_invoice("FA2026-00101", "C2", "1000.00", date(2026, 6, 1), date(2026, 7, 1)),   # 1200.00, >90 days
        erp_invoice("FA2026-00102", "C2", "500.00", date(2026, 9, 1), date(2026, 10, 1)),   # 600.00, 31-60
        erp_invoice("FA2026-00103", "C2", "250.00", date(2026, 10, 15), date(2026, 11, 14)),  # 300.00, 1-30
        erp_invoice("FA2026-00104", "C2", "50.00", date(2026, 11, 10), date(2026, 12, 10)),  # 60.00, not due
    ]
    return {
        "company": {"name": "Maintenance Industrielle Démo SAS", "siren": "842915340", "siret": "84291534000017",
                    "vat_number": "FR70842915340", "iban": "FR7630004000030001234567897", "bic": "BNPAFRPP",
                    "address": {"line1": "12 rue des Ateliers", "postcode": "69100", "city": "Villeurbanne",
                                "country": "FR"}},
        "users": [{"username": "clerk", "password": "s3cret-pass", "full_name": "Camille Martin"}],
        "customers": customers,
        "invoices": invoices,
        "payments": [],
    }


# --- Chorus Pro ---------------------------------------------------------------------------------------
CHORUS_PRO_START = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
REJECTING_BUYER = "11000201100044"
SUSPENDING_BUYER = "26630001800019"
OTHER_SUPPLIER = "52345678900017"
CHORUS_PRO_SEED = {
    "oauth_clients": [{"client_id": "piste-app", "client_secret": "piste-secret"}],
    "technical_accounts": [
        {"login": "TECH_1_nettoyage@cpro.fr", "password": "Tech-Pass-1", "supplier_siret": SUPPLIER_SIRET},
        {"login": "TECH_1_autre@cpro.fr", "password": "Tech-Pass-2", "supplier_siret": OTHER_SUPPLIER},
    ],
    "portal_users": [{"login": "compta@nettoyage-centre.fr", "password": "Portail-Pass-1",
                      "supplier_siret": SUPPLIER_SIRET}],
    "suppliers": [{"siret": SUPPLIER_SIRET, "name": SUPPLIER_NAME},
                  {"siret": OTHER_SUPPLIER, "name": "Autre Fournisseur SARL"}],
    "structures": [
        {"siret": BUYER_SIRET, "name": BUYER_NAME, "service_code_required": True, "commitment_required": True,
         "services": [{"code": "SERV-FIN", "name": "Direction des finances"},
                      {"code": "ANCIEN", "name": "Service fermé", "active": False}]},
        {"siret": REJECTING_BUYER, "name": "Ministère de l'Intérieur", "service_code_required": False,
         "commitment_required": False, "services": [], "lifecycle": "rejected"},
        {"siret": SUSPENDING_BUYER, "name": "Centre hospitalier de Riom", "service_code_required": False,
         "commitment_required": False, "services": [], "lifecycle": "suspended"},
    ],
}
