"""E-mail delivery through the sandbox's SMTP relay, read back over IMAP from its Dovecot as the
customer would read it: the Factur-X attached, the message in the customer's language."""
from __future__ import annotations

import email
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from imapclient import IMAPClient

from bots.portal_upload.channels.email import EmailDriver
from bots.portal_upload.facturx_document import read_embedded_xml
from bots.portal_upload.model import PostalAddress
from bots.portal_upload.statuses import SENT
from tests.support.portal_upload.facturx_files import facturx_file
from tests.support.portal_upload.samples import customer, invoice, job


def inbox(server, address: str, password: str) -> list[EmailMessage]:
    with IMAPClient(server.host, server.imap_port, ssl=False, timeout=10) as imap:
        imap.login(address, password)
        imap.select_folder("INBOX", readonly=True)
        ids = imap.search()
        fetched = imap.fetch(ids, ["BODY.PEEK[]"]) if ids else {}
        return [email.message_from_bytes(fetched[i][b"BODY[]"], policy=default_policy) for i in ids]


def driver(server, tmp_path) -> EmailDriver:
    return EmailDriver(server.host, server.smtp_port, "ar@mid-demo.example", tmp_path / "evidence")


def test_a_french_customer_receives_the_facturx_with_a_french_message(mail_server, tmp_path):
    job_ = job(invoice("FA2026-00101"))
    pdf = facturx_file(job_, tmp_path / "facturx")
    result = driver(mail_server, tmp_path).deliver(job_, pdf)

    [received] = [m for m in inbox(mail_server, "factures@garnier.example", "garnier-pw")
                  if m["Message-ID"] == result.reference]
    assert received["Subject"] == "Facture n° FA2026-00101 du 20/11/2026 – Maintenance Industrielle Démo SAS"
    body = received.get_body(("plain",)).get_content()
    assert "d'un montant de 1\u202f622,40\u00a0€ TTC, relative à votre commande PO-1001" in body
    assert "payable au plus tard le 20/12/2026" in body and "FR76 3000 4000 0312 3456 7890 143" in body
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == "FA2026-00101.pdf" and attachment.get_content() == pdf.read_bytes()
    assert b"<ram:ID>FA2026-00101</ram:ID>" in read_embedded_xml(attachment.get_content())
    assert result.status.outcome == SENT and result.evidence[0].suffix == ".eml"


def test_an_english_speaking_customer_gets_the_english_message(mail_server, tmp_path):
    belgian = customer(code="C0700", legal_name="Brussels Tools SRL", billing_email="accounts@brussels-tools.example",
                       language="en", siret=None, vat_number="BE0403170701",
                       address=PostalAddress("Rue Neuve 1", "1000", "Bruxelles", "BE"))
    job_ = job(invoice("FA2026-00102"), belgian)
    result = driver(mail_server, tmp_path).deliver(job_, facturx_file(job_, tmp_path / "facturx"))

    [received] = [m for m in inbox(mail_server, "accounts@brussels-tools.example", "bt-pw")
                  if m["Message-ID"] == result.reference]
    assert received["Subject"] == "Invoice FA2026-00102 of 20 November 2026 – Maintenance Industrielle Démo SAS"
    body = received.get_body(("plain",)).get_content()
    assert "for EUR 1,622.40 including VAT, for your purchase order PO-1001" in body
    assert "Payment is due by 20 December 2026" in body


def test_an_address_the_mail_server_does_not_know_names_the_billing_email_field(mail_server, tmp_path):
    job_ = job(invoice("FA2026-00103"), customer(billing_email="nobody@garnier.example"))
    with pytest.raises(Exception) as caught:
        driver(mail_server, tmp_path).deliver(job_, facturx_file(job_, tmp_path / "facturx"))
    assert caught.value.code == "EMAIL_ADDRESS_REFUSED" and "«Billing e-mail»" in caught.value.message
