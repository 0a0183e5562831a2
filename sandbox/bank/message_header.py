"""Parts every camt message shares: the group header, the account block, Paris timestamps."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lxml import etree
from lxml.builder import ElementMaker

from sandbox.bank.model import Account
from sandbox.bank.sepa_text import sepa_text

PARIS = ZoneInfo("Europe/Paris")


def maker(message: str) -> ElementMaker:
    namespace = f"urn:iso:std:iso:20022:tech:xsd:{message}"
    return ElementMaker(namespace=namespace, nsmap={None: namespace})


def timestamp(moment: datetime) -> str:
    """ISODateTime with the offset, in Paris time, to the second."""
    return moment.astimezone(PARIS).replace(microsecond=0).isoformat()


def next_morning(day: date) -> datetime:
    """When end-of-day statements arrive: the next morning."""
    return datetime.combine(day + timedelta(days=1), time(5, 30), PARIS)


def group_header(E: ElementMaker, message_id: str, created_at: datetime) -> etree._Element:
    # One page per file, as banks send a day's statement for one account.
    return E.GrpHdr(
        E.MsgId(message_id),
        E.CreDtTm(timestamp(created_at)),
        E.MsgPgntn(E.PgNb("1"), E.LastPgInd("true")),
    )


def account_block(E: ElementMaker, account: Account) -> etree._Element:
    return E.Acct(
        E.Id(E.IBAN(account.iban)),
        E.Ccy(account.currency),
        E.Ownr(E.Nm(sepa_text(account.owner_name, 140))),
        E.Svcr(E.FinInstnId(E.BIC(account.bank_bic))),
    )


def serialise(document: etree._Element) -> bytes:
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8", pretty_print=True)
