"""Chorus Pro through its API (the calls are ``chorus_pro_client``'s): the "never twice" rule and
the follow-up of a deposit.

Before depositing, the bot searches our invoices on Chorus Pro for the number; if one is there, it
records it. A deposit gives a flow number; the flow is integrated (or rejected) about a minute
later, then the invoice travels through its statuses. A flow rejected only because the number
"already exists" is a crashed earlier attempt that got through: the bot records the earlier invoice
instead, like a portal's duplicate message. Any other rejection carries Chorus Pro's reasons to the
exception inbox.

The search only sees integrated invoices: an attempt that crashed in the minute between a deposit
and its integration deposits again, and that second flow is then rejected as a duplicate — one
invoice reaches the buyer either way.
"""
from __future__ import annotations

import time
from pathlib import Path

from robocorp.workitems import BusinessException

from bots.kit import write_receipt
from bots.portal_upload.chorus_pro_client import ChorusInvoice, ChorusProApi, ChorusProRejected
from bots.portal_upload.delivery import DeliveryResult
from bots.portal_upload.model import InvoiceJob
from bots.portal_upload.routing import CHORUS_PRO
from bots.portal_upload.statuses import chorus_flow_status, chorus_invoice_status


class ChorusProApiDriver:
    channel = CHORUS_PRO

    def __init__(self, api: ChorusProApi, evidence_dir: Path) -> None:
        self.api = api
        self.evidence_dir = evidence_dir

    def deliver(self, job: InvoiceJob, facturx_pdf: Path) -> DeliveryResult:
        number = job.invoice.number
        existing = self._integrated(number)
        if existing is not None:
            return self._as_result(existing, already_delivered=True, details={})
        started = time.perf_counter()
        receipt = self.api.deposit(facturx_pdf.read_bytes(), facturx_pdf.name)
        took = round(time.perf_counter() - started, 3)
        kept = write_receipt(self.evidence_dir / f"{facturx_pdf.stem}-chorus-pro-deposit.json",
                             {"numeroFluxDepot": receipt.flow_number, "dateDepot": receipt.deposited_on,
                              "nomFichier": facturx_pdf.name, "answer": receipt.answer})
        return DeliveryResult(CHORUS_PRO, receipt.flow_number, chorus_flow_status("IN_RECU"), evidence=(kept,),
                              details={"flow_number": receipt.flow_number, "mode": "api", "deposit_s": took})

    def follow(self, job: InvoiceJob, delivered: DeliveryResult) -> DeliveryResult:
        number = job.invoice.number
        details = dict(delivered.details)
        invoice_id = details.get("invoice_id")
        if invoice_id is None:
            flow_number = details["flow_number"]
            report = self.api.flow_report(flow_number)
            if not report.final:
                return DeliveryResult(CHORUS_PRO, delivered.reference, chorus_flow_status(report.state),
                                      delivered.already_delivered, delivered.evidence, details)
            if report.state == "IN_REJETE":
                earlier = self._integrated(number) if report.only_duplicate_of(number) else None
                if earlier is None:
                    raise ChorusProRejected(number, report)
                return self._as_result(earlier, already_delivered=True,
                                       details={**details, "rejected_duplicate_flow": flow_number})
            found = [i for i in self.api.find_invoices(number=number, flow_number=flow_number) if i.number == number]
            if not found:
                raise BusinessException(message=f"Chorus Pro integrated flow {flow_number} ({report.state}) but "
                                                f"invoice {number} is not in it: check the flow on Chorus Pro.",
                                        code="CHORUS_PRO_INVOICE_MISSING")
            invoice_id = found[0].invoice_id
        steps = self.api.history(int(invoice_id))
        current = steps[0]
        return DeliveryResult(CHORUS_PRO, str(invoice_id), chorus_invoice_status(current.code, current.comment),
                              delivered.already_delivered, delivered.evidence,
                              {**details, "invoice_id": int(invoice_id),
                               "history": [{"status": s.code, "at": s.at, "comment": s.comment} for s in steps]})

    def _integrated(self, number: str) -> ChorusInvoice | None:
        exact = [i for i in self.api.find_invoices(number=number) if i.number == number]
        return exact[0] if exact else None

    def _as_result(self, invoice: ChorusInvoice, *, already_delivered: bool, details: dict) -> DeliveryResult:
        status = chorus_invoice_status(invoice.status, invoice.comment)
        return DeliveryResult(CHORUS_PRO, str(invoice.invoice_id), status, already_delivered, (),
                              {**details, "invoice_id": invoice.invoice_id, "flow_number": invoice.flow_number,
                               "mode": details.get("mode", "api")})
