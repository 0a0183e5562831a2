"""Bank statements: the camt.053/054 files the sandbox writes validate against the official ISO
20022 schemas and, read back with lxml XPath (not the writer's code), give the amounts, IBANs and
references that went in, with balances that add up."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from sandbox.bank import (
    Account,
    Entry,
    InvalidCamt,
    Notification,
    Remittance,
    Statement,
    Transaction,
    validate,
    write_camt053,
    write_camt054,
)

XSD_DIR = Path(__file__).resolve().parents[2] / "sandbox" / "bank" / "xsd"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
DAY = date(2026, 11, 24)
PARIS = ZoneInfo("Europe/Paris")

ACCOUNT = Account("FR76 3000 6000 0112 3456 7890 189", "ArFleet Démo SAS", "AGRIFRPPXXX")
DUPONT = Transaction(
    Decimal("1450.00"), "Dupont Frères & Cie", "FR14 2004 1010 0505 0001 3M02 606", "PSSTFRPPXXX",
    "DUP-2026-11-0042", Remittance(text="FA-2026-0042 FA-2026-0043"),
)
MULLER = Transaction(
    Decimal("980.40"), "Müller GmbH", "DE89370400440532013000", "COBADEFFXXX",
    remittance=Remittance(reference="RF18539007547034"),
)
HOLDING = Transaction(
    Decimal("2000.00"), "Groupe Martin Holding", "FR7630004000031234567890143", None, "MARTIN-77",
    Remittance(text="Reglement FA-2026-0051 pour Martin Sud"), ultimate_payer="Martin Sud SARL",
)
MARTIN_EST = Transaction(
    Decimal("310.25"), "Groupe Martin Holding", "FR7630004000031234567890143", None, "MARTIN-78",
    Remittance(text="FA-2026-0057", reference="RF712348231"),
)


def _statement(opening: Decimal = Decimal("15230.55")) -> Statement:
    return Statement(
        ACCOUNT, DAY, opening,
        (
            Entry.transfer(DUPONT, booked=DAY, bank_reference="2611240000123"),
            Entry.transfer(MULLER, booked=DAY, value=date(2026, 11, 25), bank_reference="2611240000124"),
            Entry.batch([HOLDING, MARTIN_EST], booked=DAY, bank_reference="2611240000125"),
            Entry.charges(Decimal("18.90"), booked=DAY, bank_reference="2611240000126",
                          label="FRAIS VIREMENT INTERNATIONAL"),
        ),
        sequence_number=228,
    )


# -- an independent reader: lxml and XPath over the ISO element names --------------------------
@dataclass
class Tx:
    amount: Decimal
    payer: str
    payer_iban: str | None
    end_to_end_id: str | None
    unstructured: str | None
    reference: str | None
    ultimate_payer: str | None


@dataclass
class Line:
    amount: Decimal
    direction: str
    booked: str
    value: str
    bank_reference: str
    code: str
    transactions: list[Tx]
    batch_total: Decimal | None


def _read(data: bytes, message: str) -> tuple[etree._Element, dict[str, str]]:
    schema = etree.XMLSchema(etree.parse(str(XSD_DIR / f"{message}.xsd"), PARSER))
    root = etree.fromstring(data, PARSER)
    schema.assertValid(root)
    return root, {"c": f"urn:iso:std:iso:20022:tech:xsd:{message}"}


def _text(node: etree._Element, path: str, ns: dict[str, str]) -> str | None:
    found = node.xpath(path, namespaces=ns)
    return found[0].text if found else None


def _lines(report: etree._Element, ns: dict[str, str]) -> list[Line]:
    lines = []
    for ntry in report.xpath("c:Ntry", namespaces=ns):
        txs = [
            Tx(
                amount=Decimal(_text(tx, "c:AmtDtls/c:TxAmt/c:Amt", ns)),
                payer=_text(tx, "c:RltdPties/c:Dbtr/c:Nm", ns),
                payer_iban=_text(tx, "c:RltdPties/c:DbtrAcct/c:Id/c:IBAN", ns),
                end_to_end_id=_text(tx, "c:Refs/c:EndToEndId", ns),
                unstructured=_text(tx, "c:RmtInf/c:Ustrd", ns),
                reference=_text(tx, "c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", ns),
                ultimate_payer=_text(tx, "c:RltdPties/c:UltmtDbtr/c:Nm", ns),
            )
            for tx in ntry.xpath("c:NtryDtls/c:TxDtls", namespaces=ns)
        ]
        batch = _text(ntry, "c:NtryDtls/c:Btch/c:TtlAmt", ns)
        lines.append(
            Line(
                amount=Decimal(_text(ntry, "c:Amt", ns)),
                direction=_text(ntry, "c:CdtDbtInd", ns),
                booked=_text(ntry, "c:BookgDt/c:Dt", ns),
                value=_text(ntry, "c:ValDt/c:Dt", ns),
                bank_reference=_text(ntry, "c:AcctSvcrRef", ns),
                code="/".join(
                    ntry.xpath("c:BkTxCd/c:Domn/c:Cd/text() | c:BkTxCd/c:Domn/c:Fmly/*/text()", namespaces=ns)
                ),
                transactions=txs,
                batch_total=Decimal(batch) if batch else None,
            )
        )
    return lines


def _balance(stmt: etree._Element, kind: str, ns: dict[str, str]) -> Decimal:
    [bal] = stmt.xpath(f"c:Bal[c:Tp/c:CdOrPrtry/c:Cd='{kind}']", namespaces=ns)
    amount = Decimal(_text(bal, "c:Amt", ns))
    return -amount if _text(bal, "c:CdtDbtInd", ns) == "DBIT" else amount


# -- camt.053 -------------------------------------------------------------------------------
def test_camt053_validates_and_reads_back_to_what_was_generated() -> None:
    root, ns = _read(write_camt053(_statement()), "camt.053.001.02")
    [stmt] = root.xpath("/c:Document/c:BkToCstmrStmt/c:Stmt", namespaces=ns)

    assert _text(stmt, "c:Acct/c:Id/c:IBAN", ns) == "FR7630006000011234567890189"
    assert _text(stmt, "c:Acct/c:Ccy", ns) == "EUR"
    assert _text(stmt, "c:ElctrncSeqNb", ns) == "228"
    assert root.xpath("string(//c:Stmt/c:Ntry[1]/c:Amt/@Ccy)", namespaces=ns) == "EUR"

    dupont, muller, martin, fees = _lines(stmt, ns)
    assert (dupont.amount, dupont.direction, dupont.bank_reference) == (Decimal("1450.00"), "CRDT", "2611240000123")
    assert dupont.code == "PMNT/RCDT/ESCT"
    [tx] = dupont.transactions
    assert tx.payer_iban == "FR1420041010050500013M02606"
    assert tx.end_to_end_id == "DUP-2026-11-0042"
    assert tx.unstructured == "FA-2026-0042 FA-2026-0043" and tx.reference is None

    assert (muller.booked, muller.value) == ("2026-11-24", "2026-11-25")
    [tx] = muller.transactions
    assert (tx.reference, tx.unstructured) == ("RF18539007547034", None)
    assert tx.end_to_end_id == "NOTPROVIDED"

    assert martin.batch_total == martin.amount == Decimal("2310.25")
    assert sum(t.amount for t in martin.transactions) == martin.amount
    assert [t.end_to_end_id for t in martin.transactions] == ["MARTIN-77", "MARTIN-78"]
    assert martin.transactions[0].ultimate_payer == "Martin Sud SARL"
    assert (martin.transactions[1].unstructured, martin.transactions[1].reference) == ("FA-2026-0057", "RF712348231")

    assert (fees.amount, fees.direction, fees.code, fees.transactions) == (
        Decimal("18.90"), "DBIT", "ACMT/MDOP/CHRG", [])


def test_camt053_balances_add_up() -> None:
    for opening in (Decimal("15230.55"), Decimal("-4000.00")):  # in credit, then overdrawn
        root, ns = _read(write_camt053(_statement(opening)), "camt.053.001.02")
        [stmt] = root.xpath("//c:Stmt", namespaces=ns)
        lines = _lines(stmt, ns)
        credits = sum(line.amount for line in lines if line.direction == "CRDT")
        debits = sum(line.amount for line in lines if line.direction == "DBIT")
        assert _balance(stmt, "OPBD", ns) == opening
        assert _balance(stmt, "OPBD", ns) + credits - debits == _balance(stmt, "CLBD", ns)
        assert _balance(stmt, "CLBD", ns) == opening + Decimal("4721.75")
        assert Decimal(_text(stmt, "c:TxsSummry/c:TtlCdtNtries/c:Sum", ns)) == credits
        assert Decimal(_text(stmt, "c:TxsSummry/c:TtlDbtNtries/c:Sum", ns)) == debits
        assert _text(stmt, "c:TxsSummry/c:TtlNtries/c:NbOfNtries", ns) == str(len(lines))


def test_text_arrives_as_the_sepa_network_delivers_it() -> None:
    long_text = "Règlement des factures " + " ".join(f"FA-2026-{n:04d}" for n in range(1, 20))
    payer = Transaction(Decimal("10.00"), "Société Générale & Fils", "FR7630004000031234567890143",
                        remittance=Remittance(text=long_text))
    statement = Statement(ACCOUNT, DAY, Decimal("0"), (Entry.transfer(payer, booked=DAY, bank_reference="R1"),), 1)
    root, ns = _read(write_camt053(statement), "camt.053.001.02")
    [line] = _lines(root.xpath("//c:Stmt", namespaces=ns)[0], ns)
    [tx] = line.transactions
    assert tx.payer == "Societe Generale Fils"
    # Cut at 140 characters: the last invoice numbers never reach us.
    assert len(tx.unstructured) <= 140 and tx.unstructured.startswith("Reglement des factures FA-2026-0001")
    assert "FA-2026-0009" in tx.unstructured and "FA-2026-0019" not in tx.unstructured
    assert _text(root, "//c:Acct/c:Ownr/c:Nm", ns) == "ArFleet Demo SAS"


def test_the_same_statement_gives_the_same_bytes() -> None:
    assert write_camt053(_statement()) == write_camt053(_statement())


# -- camt.054 -------------------------------------------------------------------------------
def test_camt054_credit_notification_validates_and_reads_back() -> None:
    notification = Notification(
        ACCOUNT,
        (
            Entry.transfer(DUPONT, booked=DAY, bank_reference="2611240000123"),
            Entry.batch([HOLDING, MARTIN_EST], booked=DAY, bank_reference="2611240000125"),
        ),
        created_at=datetime(2026, 11, 24, 10, 42, tzinfo=PARIS),
        sequence_number=57,
    )
    root, ns = _read(write_camt054(notification), "camt.054.001.02")
    [ntfctn] = root.xpath("/c:Document/c:BkToCstmrDbtCdtNtfctn/c:Ntfctn", namespaces=ns)
    assert _text(ntfctn, "c:Acct/c:Id/c:IBAN", ns) == "FR7630006000011234567890189"
    assert _text(ntfctn, "c:CreDtTm", ns) == "2026-11-24T10:42:00+01:00"
    assert not ntfctn.xpath("c:Bal", namespaces=ns)  # notifications carry no balances

    dupont, martin = _lines(ntfctn, ns)
    assert [(t.amount, t.payer_iban, t.end_to_end_id, t.unstructured) for t in dupont.transactions] == [
        (Decimal("1450.00"), "FR1420041010050500013M02606", "DUP-2026-11-0042", "FA-2026-0042 FA-2026-0043")
    ]
    assert [(t.amount, t.reference) for t in martin.transactions] == [
        (Decimal("2000.00"), None), (Decimal("310.25"), "RF712348231"),
    ]
    assert martin.amount == martin.batch_total == Decimal("2310.25")


# -- what the writer refuses, and what the schema catches ---------------------------------------
def test_wrong_data_is_refused_before_it_reaches_a_file() -> None:
    with pytest.raises(TypeError):
        Transaction(12.5, "Float SA")  # type: ignore[arg-type]  # money is never a float
    with pytest.raises(ValueError, match="check"):
        Transaction(Decimal("1.00"), "X", payer_iban="FR7630006000011234567890188")
    with pytest.raises(ValueError, match="add up"):
        Entry(Decimal("99.00"), DAY, DAY, "R", transactions=(DUPONT,))
    too_long = Transaction(Decimal("1.00"), "X", end_to_end_id="E" * 36)
    with pytest.raises(ValueError, match="35"):
        write_camt053(
            Statement(ACCOUNT, DAY, Decimal("0"), (Entry.transfer(too_long, booked=DAY, bank_reference="R"),), 1))


def test_schema_check_rejects_a_broken_file() -> None:
    data = write_camt053(_statement())
    broken = data.replace(b"<Sts>BOOK</Sts>", b"", 1)
    with pytest.raises(InvalidCamt, match="Sts"):
        validate(broken)
    with pytest.raises(etree.DocumentInvalid):  # and the test's own reader agrees
        _read(broken, "camt.053.001.02")


def test_schema_check_does_not_expand_entities(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("S3CRET-4711")
    hostile = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>&x;</MsgId></GrpHdr></BkToCstmrStmt></Document>"
    ).encode()
    with pytest.raises(InvalidCamt, match="DOCTYPE") as refused:
        validate(hostile)
    assert "S3CRET" not in str(refused.value)
