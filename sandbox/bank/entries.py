"""Statement lines (``Ntry``) as XML: the same ISO 20022 ReportEntry2 in camt.053 and camt.054."""
from __future__ import annotations

from decimal import Decimal

from lxml import etree
from lxml.builder import ElementMaker

from sandbox.bank.model import Account, Entry, Transaction
from sandbox.bank.sepa_text import reference, sepa_text


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


class EntryWriter:
    """Builds ``Ntry`` elements in one message's namespace, for one account."""

    def __init__(self, maker: ElementMaker, account: Account) -> None:
        self.E = maker
        self.account = account

    def amount(self, tag: str, value: Decimal) -> etree._Element:
        return self.E(tag, money(value), Ccy=self.account.currency)

    def entry(self, entry: Entry) -> etree._Element:
        E = self.E
        code = entry.code
        element = E.Ntry(
            self.amount("Amt", entry.amount),
            E.CdtDbtInd(entry.direction),
            E.Sts("BOOK"),
            E.BookgDt(E.Dt(entry.booking_date.isoformat())),
            E.ValDt(E.Dt(entry.value_date.isoformat())),
            E.AcctSvcrRef(reference(entry.bank_reference, "a bank reference")),
            E.BkTxCd(E.Domn(E.Cd(code.domain), E.Fmly(E.Cd(code.family), E.SubFmlyCd(code.sub_family)))),
        )
        if entry.transactions:
            details = E.NtryDtls()
            if len(entry.transactions) > 1:
                details.append(
                    E.Btch(
                        E.NbOfTxs(str(len(entry.transactions))),
                        self.amount("TtlAmt", entry.amount),
                        E.CdtDbtInd(entry.direction),
                    )
                )
            details.extend(self.transaction(t) for t in entry.transactions)
            element.append(details)
        element.append(E.AddtlNtryInf(sepa_text(entry.info or _label(entry), 500)))
        return element

    def transaction(self, tx: Transaction) -> etree._Element:
        E = self.E
        refs = E.Refs()
        if tx.bank_reference:
            refs.append(E.AcctSvcrRef(reference(tx.bank_reference, "a bank reference")))
        refs.append(E.EndToEndId(reference(tx.end_to_end_id, "an end-to-end id")))
        parties = E.RltdPties(E.Dbtr(E.Nm(sepa_text(tx.payer_name, 140))))
        if tx.payer_iban:
            parties.append(E.DbtrAcct(E.Id(E.IBAN(tx.payer_iban))))
        if tx.ultimate_payer:
            parties.append(E.UltmtDbtr(E.Nm(sepa_text(tx.ultimate_payer, 140))))
        parties.append(E.Cdtr(E.Nm(sepa_text(self.account.owner_name, 140))))
        parties.append(E.CdtrAcct(E.Id(E.IBAN(self.account.iban))))
        element = E.TxDtls(refs, E.AmtDtls(E.TxAmt(self.amount("Amt", tx.amount))), parties)
        if tx.payer_bic:
            element.append(E.RltdAgts(E.DbtrAgt(E.FinInstnId(E.BIC(tx.payer_bic)))))
        if tx.remittance:
            element.append(self.remittance(tx))
        return element

    def remittance(self, tx: Transaction) -> etree._Element:
        E = self.E
        info = E.RmtInf()
        if tx.remittance.text:
            info.append(E.Ustrd(sepa_text(tx.remittance.text, 140)))
        if tx.remittance.reference:
            ref = reference(tx.remittance.reference, "a creditor reference")
            kind = E.Tp(E.CdOrPrtry(E.Cd("SCOR")))
            if ref.upper().startswith("RF"):
                kind.append(E.Issr("ISO"))  # an ISO 11649 creditor reference
            info.append(E.Strd(E.CdtrRefInf(kind, E.Ref(ref))))
        return info


def _label(entry: Entry) -> str:
    """The line's label as French banks print it on the statement."""
    if len(entry.transactions) == 1:
        tx = entry.transactions[0]
        motif = (tx.remittance.text or tx.remittance.reference) if tx.remittance else ""
        return f"VIR SEPA RECU /DE {tx.payer_name} /MOTIF {motif} /REF {tx.end_to_end_id}"
    if entry.transactions:
        return f"REMISE VIREMENTS SEPA RECUS /NB {len(entry.transactions)}"
    return "OPERATION" if entry.direction == "CRDT" else "FRAIS"
