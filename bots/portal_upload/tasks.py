"""robocorp-tasks entry points of the invoice distribution bot.

``deliver``: for each input item (one invoice, see ``payload``): route it, build and validate its
Factur-X, deliver it through the customer's channel, keep the delivery on the item, and create an
output item carrying the delivery, the Factur-X PDF sent and the evidence (confirmation screenshot,
deposit receipt, e-mail, letter). An item whose payload already records a delivery (an attempt
that crashed after saving it) is not delivered again.

``follow_up``: for each delivered item not yet final, read its status on the channel and record
changes; a rejection or suspension goes to a person with the buyer's reason; a final status ends
the item with an output item; anything still on its way is released with ``STATUS_PENDING``, an
application exception, so the control room polls it again with back-off (give the follow-up step
a large ``max_retries``: Chorus Pro payments take weeks).

The ERP export (``collect``) comes with the ERP; nothing here depends on it but the payload shape.

Run with ``python -m robocorp.tasks run bots/portal_upload/tasks.py -t deliver -o OUTDIR``;
configuration from the environment (``bots.kit.settings``), secrets from the vault: one secret per
web channel named after it (``portal_a``: login, password, totp_secret; ``portal_b``;
``chorus_pro_portal``), ``chorus_pro_api`` (client_id, client_secret, login, password) and,
if ``ARFLEET_SMTP_SECRET`` names one, the SMTP login.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from robocorp import vault, workitems
from robocorp.tasks import get_output_dir, task

from bots.kit.settings import Settings
from bots.portal_upload.delivery import DeliveryResult
from bots.portal_upload.facturx import build_cii_xml, embed_in_pdf, facturx_file_name
from bots.portal_upload.model import InvoiceJob
from bots.portal_upload.payload import job_from_payload
from bots.portal_upload.portals import Channels
from bots.portal_upload.routing import CHORUS_PRO, ChorusBuyer, NotDeliverable, route, with_route
from bots.portal_upload.statuses import NEEDS_A_PERSON
from bots.portal_upload.validate import validate_facturx


@task
def deliver() -> None:
    """Send every input invoice through its customer's channel, once, with proof."""
    settings = _settings()
    with Channels(settings, vault.get_secret, settings.output_dir / "evidence") as channels:
        for item in workitems.inputs:
            with item, _failure_evidence_kept_on(item, channels):
                _deliver_one(item, channels, settings)


@task
def follow_up() -> None:
    """Read the status of every delivered invoice and record what changed."""
    settings = _settings()
    with Channels(settings, vault.get_secret, settings.output_dir / "evidence") as channels:
        for item in workitems.inputs:
            with item, _failure_evidence_kept_on(item, channels):
                _follow_one(item, channels)


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
    driver = channels.driver(chosen.channel)
    with channels.evidence(f"{job.invoice.number}-{chosen.channel}"):
        delivered = driver.deliver(job, facturx_pdf)
    item.payload = {**payload, "route": {"channel": chosen.channel, "recipient": chosen.recipient},
                    "delivery": delivered.to_payload()}
    item.save()  # the reference is on the item before anything else can fail
    _output(item.payload, delivered, [facturx_pdf, *delivered.evidence])


def _follow_one(item: workitems.Input, channels: Channels) -> None:
    payload = item.payload
    job = job_from_payload(payload)
    delivered = DeliveryResult.from_payload(payload["delivery"])
    driver = channels.driver(delivered.channel)
    with channels.evidence(f"{job.invoice.number}-{delivered.channel}-status"):
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
        "delivery": delivered.to_payload()}, files=[f for f in files if f.exists()])


@contextmanager
def _failure_evidence_kept_on(item: workitems.Input, channels: Channels) -> Iterator[None]:
    """If the block fails, attach the failure's screenshot and trace to the item before it is
    released, so the exception handler sees them beside the reason."""
    known = len(channels.failures())
    try:
        yield
    except BaseException:
        kept = [path for failure in channels.failures()[known:] for path in failure.files]
        for path in kept:
            item.add_file(path)
        if kept:
            item.save()
        raise


def _settings() -> Settings:
    settings = Settings.from_env()
    output_dir = get_output_dir()
    return replace(settings, output_dir=Path(output_dir)) if output_dir else settings
