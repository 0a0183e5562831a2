"""The bot's robocorp-tasks entry points run as the runner runs them (``python -m robocorp.tasks
run``), with work items from robocorp-workitems' file adapter and secrets from robocorp-vault's file
vault: every invoice reaches its channel or goes to a person with the reason, and the follow-up
keeps polling what is not final."""
from __future__ import annotations

import json
from datetime import date

from bots.portal_upload.model import Money
from bots.portal_upload.payload import job_to_payload
from tests.support.browser import CHROMIUM
from tests.support.portal_upload.samples import customer, invoice, invoice_pdf, job, public_body
from tests.support.portal_upload.sites import CHORUS_API, PORTAL_A_USER
from tests.support.portal_upload.task_runs import run_task

JOBS = [
    job(invoice("FA2026-00301"), customer(invoice_channel="email")),
    job(invoice("FA2026-00302"), customer(code="C0300", invoice_channel="letter", billing_email=None)),
    job(invoice("FA2026-00303", commitment_number="EJ-2026-0042"), public_body()),
    job(invoice("FA2026-00304"), customer(invoice_channel="portal_a", portal_supplier_id=None)),
    job(invoice("FA2026-00305", total_gross=Money(invoice().total_gross.amount + 1, "EUR")),
        customer(invoice_channel="email")),
    job(invoice("FA2026-00306"), customer(invoice_channel="portal_a", portal_supplier_id="SUP-4242")),
    job(invoice("FA2026-00307", issue_date=date(2026, 11, 26)),  # after the portal's today: it refuses it
        customer(invoice_channel="portal_a", portal_supplier_id="SUP-4242")),
]


def test_deliver_then_follow_up(chorus_pro, portal_a, mail_server, tmp_path):
    secrets = tmp_path / "secrets.json"
    secrets.write_text(json.dumps({"chorus_pro_api": CHORUS_API, "portal_a": PORTAL_A_USER}))
    env = {"RC_VAULT_SECRET_MANAGER": "FileSecrets", "RC_VAULT_SECRETS_FILE": str(secrets),
           "ARFLEET_TARGET_CHORUS_PRO_API_URL": f"{chorus_pro.url}/cpro", "ARFLEET_TARGET_PORTAL_A_URL": portal_a.url,
           "ARFLEET_CHROMIUM": CHROMIUM, "ARFLEET_BROWSER_TIMEOUT_MS": "4000", "ARFLEET_SMTP_HOST": mail_server.host,
           "ARFLEET_SMTP_PORT": str(mail_server.smtp_port), "ARFLEET_MAIL_FROM": "ar@mid-demo.example",
           "ARFLEET_PRINT_BATCH_DIR": str(tmp_path / "print"), "ARFLEET_RETRY_DELAYS_S": "0,0"}
    items = [{"payload": job_to_payload(j), "files": {j.invoice.pdf_name: j.invoice.pdf_name},
              "_bytes": {j.invoice.pdf_name: invoice_pdf(j)}} for j in JOBS]

    releases, outputs, saved = run_task("deliver", tmp_path, items, env)

    states = [(r["state"], (r["exception"] or {}).get("code")) for r in releases]
    assert states == [("COMPLETED", None), ("COMPLETED", None), ("COMPLETED", None),
                      ("FAILED", "MISSING_PORTAL_SUPPLIER_ID"), ("FAILED", "FACTURX_BR_CO_15"),
                      ("COMPLETED", None), ("FAILED", "PORTAL_REFUSED")]
    no_supplier_id, wrong_total = releases[3]["exception"], releases[4]["exception"]
    assert no_supplier_id["type"] == "BUSINESS" and "«Portal supplier id»" in no_supplier_id["message"]
    assert "BR-CO-15: the total with VAT is not the total without VAT plus the VAT" in wrong_total["message"]
    assert "Invoice date cannot be in the future" in releases[6]["exception"]["message"]
    refused_files = saved[6]["files"]  # the refusal's screenshot and trace, for the person who handles it
    assert any(f.endswith(".png") for f in refused_files) and any(f.endswith("-trace.zip") for f in refused_files)
    assert [(o["payload"]["invoice_number"], o["payload"]["channel"]) for o in outputs] == [
        ("FA2026-00301", "email"), ("FA2026-00302", "letter"), ("FA2026-00303", "chorus_pro"),
        ("FA2026-00306", "portal_a")]
    assert {"FA2026-00306.pdf", "FA2026-00306-portal_a-confirmation.png"} <= set(outputs[3]["files"])
    [submission] = portal_a.submissions()
    assert outputs[3]["payload"]["reference"] == submission["reference"]
    assert all("FA2026-003" in name for o in outputs for name in o["files"] if name.endswith(".pdf"))
    assert {"FA2026-00301.pdf", "FA2026-00301-email.eml"} <= set(outputs[0]["files"])
    assert {"FA2026-00303.pdf", "FA2026-00303-chorus-pro-deposit.json"} <= set(outputs[2]["files"])
    assert saved[2]["payload"]["delivery"]["reference"] == chorus_pro.flows()[0]["numeroFluxDepot"]
    assert len(list((tmp_path / "print").glob("letters-*.pdf"))) == 1

    chorus_pro.advance(60 + 300)
    follow_items = [{"payload": o["payload"], "files": {}} for o in outputs]
    releases, outputs, saved = run_task("follow_up", tmp_path, follow_items, env)

    states = [(r["state"], (r["exception"] or {}).get("code")) for r in releases]
    assert states == [("COMPLETED", None), ("COMPLETED", None), ("FAILED", "STATUS_PENDING"),
                      ("FAILED", "STATUS_PENDING")]
    assert releases[2]["exception"]["type"] == "APPLICATION"
    assert saved[2]["payload"]["delivery"]["status"]["status"] == "MISE_A_DISPOSITION"
    assert [h["status"] for h in saved[2]["payload"]["status_history"]] == ["MISE_A_DISPOSITION"]
