"""The day's print batch: each invoice behind an address page for a window envelope, read back
with pdfplumber; an invoice added twice stays in the batch once."""
from __future__ import annotations

import json
from datetime import date

import pdfplumber

from bots.portal_upload.channels.letter import LetterDriver, add_to_print_batch
from bots.portal_upload.model import PostalAddress
from tests.support.portal_upload.samples import customer, invoice, invoice_pdf, job

DAY = date(2026, 11, 25)
LETTER_CUSTOMER = customer(code="C0300", legal_name="Boulangerie Martin SARL", invoice_channel="letter",
                           billing_email=None, address=PostalAddress("3 place du Marché", "38000", "Grenoble", "FR"))


def page_texts(path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def test_each_invoice_follows_its_address_page_and_is_added_once(tmp_path):
    first = job(invoice("FA2026-00201"), LETTER_CUSTOMER)
    second = job(invoice("FA2026-00202"), customer(
        code="C0301", legal_name="Brussels Tools SRL", language="en", invoice_channel="letter",
        address=PostalAddress("Rue Neuve 1", "1000", "Bruxelles", "BE")))

    added = add_to_print_batch(tmp_path, DAY, first, invoice_pdf(first))
    add_to_print_batch(tmp_path, DAY, second, invoice_pdf(second))
    again = add_to_print_batch(tmp_path, DAY, first, invoice_pdf(first))

    assert added.batch == tmp_path / "letters-2026-11-25.pdf" and again.already_in_batch
    pages = page_texts(added.batch)
    assert len(pages) == 4
    assert "Boulangerie Martin SARL" in pages[0] and "3 place du Marché" in pages[0] and "38000 Grenoble" in pages[0]
    assert "Objet : Facture n° FA2026-00201" in pages[0] and "Villeurbanne, le 25/11/2026" in pages[0]
    assert "FACTURE FA2026-00201" in pages[1]
    assert "Brussels Tools SRL" in pages[2] and "1000 Bruxelles" in pages[2] and "BELGIQUE" in pages[2]
    assert "Subject: Invoice FA2026-00202" in pages[2]
    assert "FACTURE FA2026-00202" in pages[3]
    manifest = json.loads((tmp_path / "letters-2026-11-25.json").read_text())
    assert [(e["invoice_number"], e["first_page"], e["pages"]) for e in manifest] == [
        ("FA2026-00201", 1, 2), ("FA2026-00202", 3, 2)]
    assert len(page_texts(added.letter)) == 2  # the letter on its own, kept as evidence


def test_the_letter_driver_reports_the_batch_page(tmp_path):
    job_ = job(invoice("FA2026-00203"), LETTER_CUSTOMER)
    pdf = tmp_path / "FA2026-00203.pdf"
    pdf.write_bytes(invoice_pdf(job_))
    result = LetterDriver(tmp_path / "print").deliver(job_, pdf)
    assert result.reference.endswith(".pdf p.1") and result.status.final and not result.already_delivered
    assert result.evidence[0].exists()
