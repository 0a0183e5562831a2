"""The Factur-X PDF of a sample job, written where a driver expects a file (as the deliver task
does): built, validated, embedded."""
from __future__ import annotations

from pathlib import Path

from bots.portal_upload.facturx_document import build_cii_xml, embed_in_pdf, facturx_file_name
from bots.portal_upload.model import InvoiceJob
from bots.portal_upload.validate import validate_facturx
from tests.support.portal_upload.samples import invoice_pdf


def facturx_file(job: InvoiceJob, folder: Path) -> Path:
    xml = build_cii_xml(job)
    validate_facturx(xml, job.invoice.number)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / facturx_file_name(job.invoice.number)
    path.write_bytes(embed_in_pdf(invoice_pdf(job), xml, job))
    return path
