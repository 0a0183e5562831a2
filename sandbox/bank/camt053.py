"""camt.053.001.02, the end-of-day account statement (relevé de compte) as French banks send it:
opening and closing booked balances, a transactions summary, and the day's lines."""
from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

from lxml import etree
from lxml.builder import ElementMaker

from sandbox.bank.entries import EntryWriter, money
from sandbox.bank.message_header import (
    PARIS,
    account_block,
    group_header,
    maker,
    next_morning,
    serialise,
    timestamp,
)
from sandbox.bank.model import Entry, Statement
from sandbox.bank.schemas import validate

MESSAGE = "camt.053.001.02"


def write_camt053(statement: Statement, *, message_id: str | None = None) -> bytes:
    """The statement as a camt.053 file (UTF-8 bytes), checked against the official schema."""
    E = maker(MESSAGE)
    day = statement.statement_date
    created_at = statement.created_at or next_morning(day)
    message_id = message_id or f"C53{created_at.astimezone(PARIS):%Y%m%d%H%M%S}{statement.sequence_number:05d}"
    entries = EntryWriter(E, statement.account)
    stmt = E.Stmt(
        E.Id(statement.statement_id or f"REL{day:%Y%m%d}{statement.sequence_number:05d}"),
        E.ElctrncSeqNb(str(statement.sequence_number)),
        E.LglSeqNb(str(statement.sequence_number)),
        E.CreDtTm(timestamp(created_at)),
        E.FrToDt(
            E.FrDtTm(timestamp(datetime.combine(day, time(0, 0), PARIS))),
            E.ToDtTm(timestamp(datetime.combine(day, time(23, 59, 59), PARIS))),
        ),
        account_block(E, statement.account),
        _balance(E, entries, "OPBD", statement.opening_balance, statement),
        _balance(E, entries, "CLBD", statement.closing_balance, statement),
        _summary(E, statement.entries),
    )
    stmt.extend(entries.entry(e) for e in statement.entries)
    document = E.Document(E.BkToCstmrStmt(group_header(E, message_id, created_at), stmt))
    data = serialise(document)
    validate(data)
    return data


def _balance(E: ElementMaker, entries: EntryWriter, kind: str, amount: Decimal, statement: Statement) -> etree._Element:
    return E.Bal(
        E.Tp(E.CdOrPrtry(E.Cd(kind))),
        entries.amount("Amt", abs(amount)),
        E.CdtDbtInd("DBIT" if amount < 0 else "CRDT"),
        E.Dt(E.Dt(statement.statement_date.isoformat())),
    )


def _summary(E: ElementMaker, lines: tuple[Entry, ...]) -> etree._Element:
    credits = [e.amount for e in lines if e.direction == "CRDT"]
    debits = [e.amount for e in lines if e.direction == "DBIT"]
    net = sum(credits, Decimal("0")) - sum(debits, Decimal("0"))
    return E.TxsSummry(
        E.TtlNtries(
            E.NbOfNtries(str(len(lines))),
            E.Sum(money(sum(credits, Decimal("0")) + sum(debits, Decimal("0")))),
            E.TtlNetNtryAmt(money(abs(net))),
            E.CdtDbtInd("DBIT" if net < 0 else "CRDT"),
        ),
        E.TtlCdtNtries(E.NbOfNtries(str(len(credits))), E.Sum(money(sum(credits, Decimal("0"))))),
        E.TtlDbtNtries(E.NbOfNtries(str(len(debits))), E.Sum(money(sum(debits, Decimal("0"))))),
    )
