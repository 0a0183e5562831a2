"""Letter delivery: the invoice joins the day's print batch — one PDF per day that the mail room
prints and posts — behind an address page laid out for a window envelope (French DL/C5 window on
the right). Each letter is also kept on its own as evidence.

The batch has a manifest (JSON) of the invoices it holds, so adding an invoice twice (a retried
item) keeps the first; a file lock serialises bots adding to the same day's batch, and files are
replaced atomically so a crash never leaves half a batch.
"""
from __future__ import annotations

import fcntl
import io
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from bots.portal_upload.delivery import DeliveryResult
from bots.portal_upload.mail_templates import write_date
from bots.portal_upload.model import CREDIT_NOTE, InvoiceJob
from bots.portal_upload.routing import LETTER
from bots.portal_upload.statuses import SENT, StatusUpdate

COUNTRY_NAMES = {"BE": "BELGIQUE", "LU": "LUXEMBOURG", "DE": "ALLEMAGNE", "IT": "ITALIE", "ES": "ESPAGNE",
                 "CH": "SUISSE", "NL": "PAYS-BAS", "GB": "ROYAUME-UNI", "US": "ETATS-UNIS", "PT": "PORTUGAL"}
WINDOW_LEFT = 110 * mm  # the recipient block sits in the envelope's window
WINDOW_TOP = A4[1] - 50 * mm


@dataclass(frozen=True)
class BatchEntry:
    invoice_number: str
    first_page: int  # 1-based page of the address page in the day's batch
    pages: int  # address page included
    letter: str  # the letter on its own, file name beside the batch


@dataclass(frozen=True)
class LetterResult:
    batch: Path
    entry: BatchEntry
    letter: Path
    already_in_batch: bool


def add_to_print_batch(batch_dir: Path, day: date, job: InvoiceJob, invoice_pdf: bytes) -> LetterResult:
    """Add the invoice (address page first) to ``day``'s batch, unless it is already in it."""
    batch_dir.mkdir(parents=True, exist_ok=True)
    stem = f"letters-{day.isoformat()}"
    batch, manifest_path, letters_dir = batch_dir / f"{stem}.pdf", batch_dir / f"{stem}.json", batch_dir / stem
    with _locked(batch_dir / f"{stem}.lock"):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else []
        for raw in manifest:
            if raw["invoice_number"] == job.invoice.number:
                entry = BatchEntry(**raw)
                return LetterResult(batch, entry, letters_dir / entry.letter, already_in_batch=True)
        letter = _letter(job, invoice_pdf, day)
        letters_dir.mkdir(exist_ok=True)
        letter_path = letters_dir / f"{_safe(job.invoice.number)}.pdf"
        _write_atomically(letter_path, letter)
        writer = PdfWriter()
        if batch.exists():
            writer.append(PdfReader(batch))
        first_page = len(writer.pages) + 1
        added = PdfReader(io.BytesIO(letter))
        writer.append(added)
        buffer = io.BytesIO()
        writer.write(buffer)
        entry = BatchEntry(job.invoice.number, first_page, len(added.pages), letter_path.name)
        _write_atomically(batch, buffer.getvalue())
        _write_atomically(manifest_path, json.dumps([*manifest, entry.__dict__], indent=2).encode("utf-8"))
        return LetterResult(batch, entry, letter_path, already_in_batch=False)


def address_page(job: InvoiceJob, day: date) -> bytes:
    """One A4 page: our address, the customer's in the window, the date and what is enclosed."""
    customer, seller, invoice = job.customer, job.seller, job.invoice
    french = customer.language == "fr"
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    page.setTitle(f"Courrier {invoice.number}")
    y = A4[1] - 25 * mm
    page.setFont("Helvetica-Bold", 11)
    page.drawString(20 * mm, y, seller.name)
    page.setFont("Helvetica", 10)
    for line in [*seller.address.lines(), seller.email, seller.phone or ""]:
        y -= 5 * mm
        page.drawString(20 * mm, y, line)
    y = WINDOW_TOP
    page.setFont("Helvetica", 11)
    assert customer.address is not None  # routing sends no letter without an address
    recipient = [customer.legal_name, *customer.address.lines()]
    if customer.address.country != seller.address.country:
        recipient.append(COUNTRY_NAMES.get(customer.address.country, customer.address.country))
    for line in recipient:
        page.drawString(WINDOW_LEFT, y, line)
        y -= 5.5 * mm
    kind = ("Avoir" if invoice.kind == CREDIT_NOTE else "Facture") if french else (
        "Credit note" if invoice.kind == CREDIT_NOTE else "Invoice")
    y = A4[1] - 105 * mm
    page.drawString(20 * mm, y, (f"{seller.address.city}, le {write_date(day, 'fr')}" if french
                                 else f"{seller.address.city}, {write_date(day, 'en')}"))
    y -= 12 * mm
    page.setFont("Helvetica-Bold", 11)
    subject = f"Objet : {kind} n° {invoice.number}" if french else f"Subject: {kind} {invoice.number}"
    page.drawString(20 * mm, y, subject)
    page.setFont("Helvetica", 10)
    y -= 10 * mm
    issued = write_date(invoice.issue_date, "fr" if french else "en")
    enclosed = (f"Veuillez trouver ci-joint notre {kind.lower()} n° {invoice.number} du {issued}." if french
                else f"Please find enclosed our {kind.lower()} {invoice.number} dated {issued}.")
    page.drawString(20 * mm, y, enclosed)
    page.showPage()
    page.save()
    return buffer.getvalue()


class LetterDriver:
    channel = LETTER

    def __init__(self, batch_dir: Path, timezone: str = "Europe/Paris") -> None:
        self.batch_dir = batch_dir
        self.timezone = ZoneInfo(timezone)

    def deliver(self, job: InvoiceJob, facturx_pdf: Path) -> DeliveryResult:
        day = datetime.now(self.timezone).date()
        result = add_to_print_batch(self.batch_dir, day, job, facturx_pdf.read_bytes())
        return DeliveryResult(
            LETTER, f"{result.batch.name} p.{result.entry.first_page}", StatusUpdate("in print batch", SENT),
            already_delivered=result.already_in_batch, evidence=(result.letter,),
            details={"batch": str(result.batch), "first_page": result.entry.first_page,
                     "pages": result.entry.pages})

    def follow(self, job: InvoiceJob, delivered: DeliveryResult) -> DeliveryResult:
        return delivered  # the post office tells nothing back


def _letter(job: InvoiceJob, invoice_pdf: bytes, day: date) -> bytes:
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(address_page(job, day))))
    writer.append(PdfReader(io.BytesIO(invoice_pdf)))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text)
