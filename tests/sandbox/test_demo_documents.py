"""The demo documents: remittance advices, the inbound mailbox stream and the bank files agree
with the demo company's payments and with their ground truth, read back with real readers
(pdfplumber, openpyxl, the email package, lxml XPath), and are the same bytes for the same seed."""
from __future__ import annotations

import email
import hashlib
import io
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import openpyxl
import pdfplumber
import pytest
from lxml import etree
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from sandbox.demo_data import dumps, generate, write
from sandbox.demo_data.documents import ground_truth, render

SEED, CUSTOMERS = 3, 24
REPO = Path(__file__).resolve().parents[2]
CLASSES = {"remittance", "dispute", "invoice_copy_request", "purchase_order", "payment_promise",
           "portal_notification", "out_of_office", "newsletter"}
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@pytest.fixture(scope="module")
def demo() -> dict:
    return generate(SEED, CUSTOMERS)


@pytest.fixture(scope="module")
def files(demo) -> dict[str, bytes]:
    return render(demo)


@pytest.fixture(scope="module")
def truth(demo) -> dict:
    return demo["documents"]


def written(value: Decimal, language: str) -> str:
    """An amount as a French or English document prints it (independent of the generator)."""
    text = f"{value:,.2f}"
    return text.replace(",", " ").replace(".", ",") if language == "fr" else text


def parse_mail(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=default_policy)


def digest(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return h.hexdigest()


# -- reproducibility ------------------------------------------------------------------------------
def test_same_data_gives_the_same_bytes_in_another_process(tmp_path, demo, files):
    assert render(demo) == files
    # The company's JSON goes across as a file: this checks the documents, not generate() itself.
    (tmp_path / "demo.json").write_text(dumps(demo), encoding="utf-8")
    other = subprocess.run(
        [sys.executable, "-c", ("import json, sys; sys.path.insert(0, 'tests/sandbox'); "
         "from test_demo_documents import digest; from sandbox.demo_data.documents import render; "
         f"print(digest(render(json.load(open({str(tmp_path / 'demo.json')!r}, encoding='utf-8')))))")],
        env={**os.environ, "PYTHONHASHSEED": "4242", "TZ": "America/New_York"}, cwd=REPO,
        capture_output=True, text=True, check=True)
    assert other.stdout.strip() == digest(files)
    assert ground_truth(generate(SEED + 1, CUSTOMERS)) != ground_truth(demo)


def test_write_puts_the_documents_beside_their_ground_truth(tmp_path, demo, files):
    paths = write(tmp_path, SEED, CUSTOMERS)
    assert paths["documents"].read_text(encoding="utf-8").startswith("{")
    stored = {str(p.relative_to(paths["documents_dir"])): p.read_bytes()
              for p in paths["documents_dir"].rglob("*") if p.is_file()}
    assert stored == files
    referenced = ({r["file"] for r in demo["documents"]["remittances"] if r["file"]}
                  | {m["file"] for m in demo["documents"]["mails"]}
                  | {b["file"] for b in demo["documents"]["bank_files"]})
    assert referenced == set(files)


# -- remittance advices ---------------------------------------------------------------------------
def test_every_remittance_names_a_payment_and_agrees_with_it(demo, truth):
    bank = {p["payment_id"]: p for p in demo["payments"]}
    books = {p["payment_id"]: p for p in demo["ground_truth"]["payments"]}
    customers = {c["code"]: c for c in demo["erp"]["customers"]}
    assert truth["remittances"]
    assert len({r["payment_id"] for r in truth["remittances"]}) == len(truth["remittances"])
    for remittance in truth["remittances"]:
        payment, explained = bank[remittance["payment_id"]], books[remittance["payment_id"]]
        fields = remittance["fields"]
        allocated = {a["invoice"]: Decimal(a["amount"]) for a in explained["allocations"]}
        taken = Counter()
        for w in explained["write_offs"]:
            taken[(w["invoice"], w["reason"])] += Decimal(w["amount"])
        assert [line["invoice"] for line in fields["invoices"]] == list(allocated)
        for line in fields["invoices"]:
            number = line["invoice"]
            assert Decimal(line["discount"]) == taken[(number, "early_payment_discount")]
            assert Decimal(line["deduction"]) == taken[(number, "short_payment")]
            assert Decimal(line["amount"]) == allocated[number] - Decimal(line["discount"]) - Decimal(line["deduction"])
        total = Decimal(fields["total"])
        assert total == sum(Decimal(line["amount"]) for line in fields["invoices"])
        fees = sum((amount for (_, reason), amount in taken.items() if reason == "bank_fees"), Decimal(0))
        assert Decimal(remittance["bank_fees"]) == fees
        assert total - fees == Decimal(payment["amount"]) == Decimal(remittance["amount_received"])
        assert fields["payment_date"] == payment["date"]
        if payment["end_to_end_id"] != "NOTPROVIDED":
            assert fields["payment_reference"] == payment["end_to_end_id"]
        customer = customers[explained["customer_code"]]
        if explained["paid_by_parent"]:
            assert fields["payer"] == customers[customer["parent_code"]]["legal_name"]
            assert fields["on_behalf_of"] == customer["legal_name"]
        elif customer["category"] == "public_body":
            assert fields["payer"] == payment["payer_name"]
        else:
            assert fields["payer"] == customer["legal_name"] and fields["on_behalf_of"] is None


def test_the_realistic_noise_is_all_there(truth):
    remittances = truth["remittances"]
    lines = [line for r in remittances for line in r["fields"]["invoices"]]
    assert {r["layout"] for r in remittances} == {"pdf_table_boxed", "pdf_table_ledger", "pdf_letter", "xlsx",
                                                 "mail_body"}
    assert {r["language"] for r in remittances} == {"fr", "en"}
    assert {line["noise"] for line in lines} == {"exact", "typo", "reformatted", "missing"}
    for line in lines:
        assert (line["written_as"] is None) == (line["noise"] == "missing")
        assert (line["written_as"] == line["invoice"]) == (line["noise"] == "exact")
    assert any(len(r["fields"]["invoices"]) > 1 for r in remittances)
    assert any(r["fields"]["on_behalf_of"] for r in remittances)
    assert any(Decimal(r["bank_fees"]) > 0 for r in remittances)
    assert any(Decimal(line["discount"]) > 0 for line in lines)
    assert any(Decimal(line["deduction"]) > 0 for line in lines)
    assert any(Decimal(line["amount"]) < 0 for line in lines)  # a credit note netted
    assert any(Decimal(line["gross"]) != Decimal(line["amount"]) and Decimal(line["discount"]) == 0
               and Decimal(line["deduction"]) == 0 and Decimal(line["amount"]) > 0 for line in lines)  # instalment
    assert sum(r["encrypted"] for r in remittances) == 1


def _pdf_text(content: bytes, password: str | None = None) -> str:
    with pdfplumber.open(io.BytesIO(content), password=password or "") as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def test_pdf_advices_read_back_with_pdfplumber(files, truth):
    pdfs = [r for r in truth["remittances"] if r["format"] == "pdf"]
    assert pdfs
    for remittance in pdfs:
        fields, language = remittance["fields"], remittance["language"]
        text = _pdf_text(files[remittance["file"]], remittance["password"])
        assert fields["payment_reference"] in text, remittance["remittance_id"]
        assert written(Decimal(fields["total"]), language) in text, remittance["remittance_id"]
        for line in fields["invoices"]:
            if line["written_as"]:
                assert line["written_as"] in text, (remittance["remittance_id"], line)
            assert written(Decimal(line["amount"]), language) in text, (remittance["remittance_id"], line)
        if fields["on_behalf_of"]:
            assert fields["on_behalf_of"] in text


def test_the_boxed_layout_is_a_table_pdfplumber_can_extract(files, truth):
    boxed = [r for r in truth["remittances"] if r["layout"] == "pdf_table_boxed" and not r["encrypted"]]
    for remittance in boxed:
        with pdfplumber.open(io.BytesIO(files[remittance["file"]])) as pdf:
            tables = [t for page in pdf.pages for t in page.extract_tables()]
        lines = next(t for t in tables if t[0][0] in ("Votre réf.", "Your ref."))
        expected = [(line["written_as"], written(Decimal(line["amount"]), remittance["language"]))
                    for line in remittance["fields"]["invoices"]]
        got = [(row[0], row[-1]) for row in lines[1:-1]]
        assert [n for (n, _), line in zip(got, remittance["fields"]["invoices"], strict=True)
                if line["written_as"]] == [n for n, _ in expected if n]
        assert [a for _, a in got] == [a for _, a in expected]
        assert lines[-1][-1] == written(Decimal(remittance["fields"]["total"]), remittance["language"])


def test_the_encrypted_advice_opens_only_with_its_password(files, truth):
    remittance = next(r for r in truth["remittances"] if r["encrypted"])
    content = files[remittance["file"]]
    with pytest.raises((PdfminerException, PDFPasswordIncorrect)):
        _pdf_text(content)
    assert remittance["fields"]["payment_reference"] in _pdf_text(content, remittance["password"])


def test_excel_advices_read_back_with_openpyxl(demo, files, truth):
    invoices = {i["number"]: i for i in demo["erp"]["invoices"]}
    sheets = [r for r in truth["remittances"] if r["format"] == "xlsx"]
    assert sheets
    for remittance in sheets:
        fields = remittance["fields"]
        rows = list(openpyxl.load_workbook(io.BytesIO(files[remittance["file"]]), read_only=True).active
                    .iter_rows(values_only=True))
        header = {row[0]: row[1] for row in rows[:8] if row[0]}
        start = next(i for i, row in enumerate(rows) if row[0] in ("N° facture", "Invoice no."))
        end = next(i for i, row in enumerate(rows) if row[0] == "Total")
        table = rows[start + 1:end]
        assert [row[0] for row in table] == [line["written_as"] for line in fields["invoices"]]
        assert [Decimal(str(row[5])).quantize(Decimal("0.01")) for row in table] == [
            Decimal(line["amount"]) for line in fields["invoices"]]
        assert [row[1].date().isoformat() for row in table] == [
            invoices[line["invoice"]]["issue_date"] for line in fields["invoices"]]
        assert Decimal(str(rows[end][5])).quantize(Decimal("0.01")) == Decimal(fields["total"])
        reference = header.get("Référence paiement", header.get("Payment reference"))
        assert reference == fields["payment_reference"]
        paid_on = header.get("Date de paiement", header.get("Payment date"))
        assert paid_on.date().isoformat() == fields["payment_date"]


# -- the mailbox stream ---------------------------------------------------------------------------
def test_every_mail_parses_and_has_a_class_and_a_unique_message_id(demo, files, truth):
    mails = truth["mails"]
    assert {m["class"] for m in mails} == CLASSES
    assert {m["language"] for m in mails} == {"fr", "en"}
    assert len({m["message_id"] for m in mails}) == len(mails)
    for mail in mails:
        message = parse_mail(files[mail["file"]])
        assert message["Message-ID"].strip() == mail["message_id"]  # long ids are folded
        assert message["From"].addresses[0].addr_spec == mail["from"]
        assert message["To"].addresses[0].addr_spec == truth["ar_mailbox"]
        assert str(message["Subject"]) == mail["subject"]
        assert message["Date"].datetime.isoformat() == mail["date"]
        assert [a.get_filename() for a in message.iter_attachments()] == mail["attachments"]
        assert message.get_body(("plain", "html")) is not None
    assert demo["meta"]["start"] <= min(m["date"] for m in mails)[:10]
    assert max(m["date"] for m in mails)[:10] <= demo["meta"]["as_of"]


def test_remittance_mails_carry_their_advice(files, truth):
    remittances = {r["remittance_id"]: r for r in truth["remittances"]}
    carried = set()
    for mail in (m for m in truth["mails"] if m["class"] == "remittance"):
        remittance = remittances[mail["remittance_id"]]
        assert remittance["message_id"] == mail["message_id"] and mail["payment_id"] == remittance["payment_id"]
        carried.add(mail["remittance_id"])
        message = parse_mail(files[mail["file"]])
        attachments = list(message.iter_attachments())
        if remittance["file"]:
            assert [a.get_content() for a in attachments] == [files[remittance["file"]]]
            continue
        assert not attachments
        body = message.get_body(("plain", "html")).get_content()
        fields = remittance["fields"]
        assert fields["payment_reference"] in body
        for line in fields["invoices"]:
            assert written(Decimal(line["amount"]), remittance["language"]) in body
            if line["written_as"]:
                assert line["written_as"] in body
    assert carried == set(remittances)


def test_automatic_replies_and_newsletters_say_so_in_their_headers(files, truth):
    for mail in truth["mails"]:
        message = parse_mail(files[mail["file"]])
        if mail["class"] == "out_of_office":
            assert message["Auto-Submitted"] == "auto-replied"  # RFC 3834
            assert message["In-Reply-To"] == mail["in_reply_to"]
        elif mail["class"] == "newsletter":
            assert message["List-Unsubscribe"] and message["List-Id"] and message["Precedence"] == "bulk"
            assert message["Auto-Submitted"] is None
        elif mail["class"] == "portal_notification":
            assert message["Auto-Submitted"] == "auto-generated"
        else:
            assert message["Auto-Submitted"] is None and message["List-Id"] is None


def test_customer_mails_name_the_invoices_the_books_know(demo, files, truth):
    invoices = {i["number"]: i for i in demo["erp"]["invoices"]}
    for mail in truth["mails"]:
        if mail["class"] in ("dispute", "invoice_copy_request", "payment_promise", "out_of_office",
                             "portal_notification"):
            message = parse_mail(files[mail["file"]])
            text = message.get_body(("plain",)).get_payload(decode=True).decode(mail.get("actual_charset", "utf-8"))
            for number in mail["invoices"]:
                assert invoices[number]["customer_code"] == mail["customer_code"]
                assert number in text or number in mail["subject"]
        if mail["class"] == "payment_promise":
            promised = [invoices[n]["promise_to_pay"] for n in mail["invoices"]]
            assert all(promised) and max(p["date"] for p in promised) == mail["promised_date"]
        if mail["class"] == "dispute" and invoices[mail["invoices"][0]]["dispute"]:
            assert invoices[mail["invoices"][0]]["dispute"]["reason"] == mail["reason"]
        if mail["class"] == "purchase_order":
            assert any(i["po_number"] == mail["po_number"] for i in invoices.values())


def test_the_hostile_mails_a_real_mailbox_gets(files, truth):
    hostile = {}
    for mail in truth["mails"]:
        for kind in mail["hostile"]:
            hostile.setdefault(kind, []).append(mail)
    assert set(hostile) == {"html_script", "charset_mismatch", "encrypted_attachment", "huge_attachment"}
    for mail in hostile["html_script"]:
        html = parse_mail(files[mail["file"]]).get_body(("html",)).get_content()
        assert "<script" in html.lower()
    (liar,) = hostile["charset_mismatch"]
    part = parse_mail(files[liar["file"]]).get_body(("plain",))
    assert part.get_content_charset() == "utf-8" and liar["actual_charset"] == "cp1252"
    raw = part.get_payload(decode=True)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "l’équipe" in raw.decode("cp1252") and "€" in raw.decode("cp1252")
    assert "\ufffd" in part.get_content()  # the email package copes, with replacement characters
    (locked,) = hostile["encrypted_attachment"]
    (pdf,) = parse_mail(files[locked["file"]]).iter_attachments()
    with pytest.raises((PdfminerException, PDFPasswordIncorrect)):
        _pdf_text(pdf.get_content())
    (huge,) = hostile["huge_attachment"]
    assert huge["class"] == "purchase_order"
    (scan,) = parse_mail(files[huge["file"]]).iter_attachments()
    content = scan.get_content()
    assert scan.get_content_type() == "image/tiff" and 2_000_000 <= len(content) <= 3_000_000
    from PIL import Image  # Pillow comes with pdfplumber

    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "TIFF" and image.size[0] > 1000


# -- bank files ---------------------------------------------------------------------------------------
def _camt(content: bytes) -> tuple[etree._Element, dict]:
    root = etree.fromstring(content, PARSER)
    return root, {"c": root.nsmap[None]}


def _credits(root, ns) -> dict[str, Decimal]:
    """Credit transfers by the bank's reference of each transaction."""
    found = {}
    for tx in root.xpath("//c:Ntry[c:CdtDbtInd='CRDT']/c:NtryDtls/c:TxDtls", namespaces=ns):
        found[tx.xpath("string(c:Refs/c:AcctSvcrRef)", namespaces=ns)] = Decimal(
            tx.xpath("string(c:AmtDtls/c:TxAmt/c:Amt)", namespaces=ns))
    return found


def test_bank_files_parse_back_to_the_payments(demo, files, truth):
    as_of = date.fromisoformat(demo["meta"]["as_of"])
    payments = {p["bank_reference"]: p for p in demo["payments"]}
    statements = sorted((b for b in truth["bank_files"] if b["kind"] == "camt.053"), key=lambda b: b["date"])
    notifications = [b for b in truth["bank_files"] if b["kind"] == "camt.054"]
    on_statements, notified = {}, {}
    previous_closing = None
    for bank_file in statements:
        root, ns = _camt(files[bank_file["file"]])
        assert root.xpath("string(//c:Stmt/c:Acct/c:Id/c:IBAN)", namespaces=ns) == demo["erp"]["company"]["iban"]
        balances = {}
        for bal in root.xpath("//c:Bal", namespaces=ns):
            sign = -1 if bal.xpath("string(c:CdtDbtInd)", namespaces=ns) == "DBIT" else 1
            balances[bal.xpath("string(c:Tp/c:CdOrPrtry/c:Cd)", namespaces=ns)] = sign * Decimal(
                bal.xpath("string(c:Amt)", namespaces=ns))
        if previous_closing is not None:
            assert balances["OPBD"] == previous_closing
        previous_closing = balances["CLBD"]
        credits = _credits(root, ns)
        on_statements.update(credits)
        assert {payments[r]["payment_id"] for r in credits} == {
            pid for e in bank_file["entries"] for pid in e["payment_ids"]}
        assert bank_file["date"] < as_of.isoformat()
    for bank_file in notifications:
        root, ns = _camt(files[bank_file["file"]])
        notified.update(_credits(root, ns))
    expected = {ref: Decimal(p["amount"]) for ref, p in payments.items() if p["date"] < as_of.isoformat()}
    assert on_statements == expected
    recent = (as_of - timedelta(days=10)).isoformat()
    assert notified == {ref: Decimal(p["amount"]) for ref, p in payments.items() if p["date"] >= recent}
    assert notified and re.fullmatch(r"bank/camt054/CAMT054_\w+_\d{8}_\d{3}\.xml", notifications[0]["file"])
