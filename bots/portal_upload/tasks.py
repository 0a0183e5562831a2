"""robocorp-tasks entry points of the invoice distribution bot.

``collect``: log into the ERP's back office, download the "New invoices" export (issued since the
input's ``since``, else the last ``collect_lookback_days`` days; it carries each customer's
invoicing details and the lines) and each invoice's PDF, and create one output item per invoice
(payload as ``payload`` describes, the ERP's PDF as a file). Each output carries
``work_item_reference`` = invoice number and channel, the queue's unique reference: an invoice
collected again (the look-back window overlaps the previous run's) is refused by the queue and
skipped here, so nothing has to be remembered between runs.

``deliver``: for each input item (one invoice): route it, build and validate its Factur-X, deliver
it through the customer's channel, keep the delivery on the item, and create an output item
carrying the delivery, the Factur-X PDF sent and the evidence (confirmation screenshot, deposit
receipt, e-mail, letter). An item whose payload already records a delivery (an attempt that
crashed after saving it) is not delivered again.

``follow_up``: for each delivered item not yet final, read its status on the channel and record
changes; a rejection or suspension goes to a person with the buyer's reason; a final status ends
the item with an output item; anything still on its way is released with ``STATUS_PENDING``, an
application exception, which the follow-up step's ``poll`` setting in schedules.yaml defers
without spending a retry (Chorus Pro payments take weeks).

Run with ``python -m robocorp.tasks run bots/portal_upload/tasks.py -t collect -o OUTDIR``;
configuration from the environment and the connection file (``bots.kit.Settings``), secrets from
the vault (see ``drivers`` and the README).
"""
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests
from robocorp import vault, workitems
from robocorp.tasks import get_output_dir, task

from bots.kit import Settings, WebLogin, failures_attached, open_chromium
from bots.portal_upload.delivery import DeliveryResult
from bots.portal_upload.drivers import Channels
from bots.portal_upload.erp import ErpFlow
from bots.portal_upload.erp_export import (
    UnreadableExport,
    invoice_payload,
    item_reference,
    read_new_invoices,
    seller_from_invoice_pdf,
    since_for,
)
from bots.portal_upload.facturx_document import build_cii_xml, embed_in_pdf, facturx_file_name
from bots.portal_upload.model import InvoiceJob
from bots.portal_upload.payload import job_from_payload
from bots.portal_upload.routing import CHORUS_PRO, ChorusBuyer, NotDeliverable, route, with_route
from bots.portal_upload.statuses import NEEDS_A_PERSON
from bots.portal_upload.validate import validate_facturx

LOGGER = logging.getLogger(__name__)
ERP_TARGET = "erp"
ERP_SECRET = "erp_rpa.cash"  # the ERP account the bots use (see README)


@task
def collect() -> None:
    """One output item per new invoice in the ERP, with its PDF."""
    settings = _settings()
    with open_chromium(settings, downloads=True) as chromium:
        browser = chromium.session()
        erp: ErpFlow | None = None
        for item in workitems.inputs:
            with item, failures_attached(item, lambda: browser.failures), browser.evidence("collect"):
                if erp is None:
                    erp = ErpFlow(browser.page, settings.target_url(ERP_TARGET),
                                  WebLogin.from_secret(ERP_SECRET, vault.get_secret(ERP_SECRET)),
                                  settings.retry_delays_s)
                    erp.sign_in()
                _collect(item, erp, settings)


@task
def deliver() -> None:
    """Send every input invoice through its customer's channel, once, with proof."""
    settings = _settings()
    with Channels(settings, vault.get_secret, settings.output_dir / "evidence") as channels:
        for item in workitems.inputs:
            with item, failures_attached(item, channels.failures):
                _deliver_one(item, channels, settings)


@task
def follow_up() -> None:
    """Read the status of every delivered invoice and record what changed."""
    settings = _settings()
    with Channels(settings, vault.get_secret, settings.output_dir / "evidence") as channels:
        for item in workitems.inputs:
            with item, failures_attached(item, channels.failures):
                _follow_one(item, channels)


def _collect(item: workitems.Input, erp: ErpFlow, settings: Settings) -> None:
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    since = since_for(item.payload, today, settings.collect_lookback_days)
    folder = settings.output_dir / "erp"
    export = erp.new_invoices_export(since, folder)
    documents = read_new_invoices(export)
    LOGGER.info("the ERP lists %d document(s) issued since %s", len(documents), since)
    seller: dict[str, Any] | None = None
    collected, already, unreadable = [], [], []
    for document in documents:
        pdf = erp.invoice_pdf(document.number, folder / "pdf")
        try:
            seller = seller or seller_from_invoice_pdf(pdf.read_bytes(), settings.mail_from)
            payload = invoice_payload(document, seller)
        except UnreadableExport as exc:
            unreadable.append(f"{document.number}: {exc.message}")
            continue
        reference = item_reference(document.number, payload["customer"]["invoice_channel"])
        try:
            workitems.outputs.create(payload={**payload, "work_item_reference": reference}, files=[pdf])
        except requests.HTTPError as exc:
            if getattr(exc, "status_code", None) != 409:
                raise
            already.append(reference)  # collected by an earlier run: the queue has it
            continue
        collected.append(reference)
    item.payload = {**(item.payload if isinstance(item.payload, dict) else {}), "since": since.isoformat(),
                    "latest_issue_date": max((d.issue_date for d in documents), default=since).isoformat(),
                    "collected": collected, "already_collected": already, "not_collected": unreadable}
    item.save()
    LOGGER.info("collected %d invoice(s), %d already collected, %d unreadable", len(collected), len(already),
                len(unreadable))
    if unreadable:
        raise workitems.BusinessException(
            message=f"{len(unreadable)} document(s) could not be read from the ERP and were not sent: "
                    + "; ".join(unreadable), code="DOCUMENTS_NOT_COLLECTED")


def _deliver_one(item: workitems.Input, channels: Channels, settings: Settings) -> None:
    payload = item.payload
    job = job_from_payload(payload)
    if isinstance(payload.get("delivery"), dict):  # delivered by an attempt that crashed afterwards
        delivered = DeliveryResult.from_payload(payload["delivery"])
        _output(payload, delivered, [])
        return
    chosen = route(job, _chorus_buyer(job, channels))
    job = with_route(job, chosen)
    facturx_pdf = _facturx_pdf(item, job, settings.output_dir)
    driver = channels.driver(chosen.channel, job)
    with channels.evidence(f"{job.invoice.number}-{chosen.channel}", driver):
        delivered = driver.deliver(job, facturx_pdf)
    item.payload = {**payload, "route": {"channel": chosen.channel, "recipient": chosen.recipient},
                    "delivery": delivered.to_payload()}
    item.save()  # the reference is on the item before anything else can fail
    _output(item.payload, delivered, [facturx_pdf, *delivered.evidence])


def _follow_one(item: workitems.Input, channels: Channels) -> None:
    payload = item.payload
    job = job_from_payload(payload)
    delivered = DeliveryResult.from_payload(payload["delivery"])
    driver = channels.driver(delivered.channel, job)
    with channels.evidence(f"{job.invoice.number}-{delivered.channel}-status", driver):
        current = driver.follow(job, delivered)
    history = list(payload.get("status_history") or [])
    if not history or history[-1]["status"] != current.status.status:
        history.append({"status": current.status.status, "outcome": current.status.outcome,
                        "reason": current.status.reason})
    item.payload = {**payload, "delivery": current.to_payload(), "status_history": history}
    item.save()
    if current.status.outcome in NEEDS_A_PERSON:
        raise workitems.BusinessException(
            message=f"Invoice {job.invoice.number} was {current.status.outcome} on {delivered.channel} "
                    f"(reference {current.reference}, status {current.status.status}): "
                    f"{current.status.reason or 'no reason given'}",
            code=f"INVOICE_{current.status.outcome.upper()}")
    if not current.status.final:
        raise workitems.ApplicationException(
            message=f"Invoice {job.invoice.number} is still {current.status.status} on {delivered.channel}; "
                    "it will be looked at again.", code="STATUS_PENDING")
    _output(item.payload, current, [])


def _chorus_buyer(job: InvoiceJob, channels: Channels) -> ChorusBuyer | None:
    """The public buyer's requirements from Chorus Pro's directory, when the API is configured."""
    if not (job.customer.is_public_body or job.customer.invoice_channel == CHORUS_PRO) or not job.customer.siret:
        return None
    api = channels.chorus_pro_api()
    if api is None:
        return None
    buyer = api.buyer(job.customer.siret)
    if buyer is None:
        raise NotDeliverable(message=f"No public buyer with SIRET {job.customer.siret} on Chorus Pro: correct «SIRET» "
                                     f"in the ERP record of customer {job.customer.code} ({job.customer.legal_name}).",
                             code="CHORUS_PRO_BUYER_UNKNOWN")
    return buyer


def _facturx_pdf(item: workitems.Input, job: InvoiceJob, output_dir: Path) -> Path:
    """The ERP's PDF from the item, as a validated Factur-X PDF/A-3 in the output folder."""
    name = job.invoice.pdf_name
    if name not in item.files:
        raise workitems.BusinessException(
            message=f"The work item has no file {name!r} (the invoice PDF from the ERP): attach it and retry.",
            code="PDF_MISSING")
    (output_dir / "received").mkdir(parents=True, exist_ok=True)
    pdf = item.get_file(name, output_dir / "received" / name).read_bytes()
    xml = build_cii_xml(job)
    validate_facturx(xml, job.invoice.number)
    path = output_dir / "facturx" / facturx_file_name(job.invoice.number)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(embed_in_pdf(pdf, xml, job))
    return path


def _output(payload: dict[str, Any], delivered: DeliveryResult, files: list[Path]) -> None:
    invoice, customer = payload.get("invoice", {}), payload.get("customer", {})
    workitems.outputs.create(payload={
        **payload, "invoice_number": invoice.get("number"), "customer_code": customer.get("code"),
        "channel": delivered.channel, "reference": delivered.reference, "status": delivered.status.status,
        "work_item_reference": item_reference(str(invoice.get("number")), delivered.channel),
        "delivery": delivered.to_payload()}, files=[f for f in files if f.exists()])


def _settings() -> Settings:
    settings = Settings.from_env()
    output_dir = get_output_dir()
    return replace(settings, output_dir=Path(output_dir)) if output_dir else settings
