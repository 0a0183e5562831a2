"""How a person (or the Treasury) words a remittance in running text, in French and English:
one sentence per document paid, saying the discount taken, the amount withheld, the instalment,
the credit note netted. Shared by the letters and the mail bodies."""
from __future__ import annotations

from sandbox.demo_data.documents.advices import Advice, AdviceLine
from sandbox.demo_data.documents.formats import euros, short_date


def _named(line: AdviceLine, language: str) -> str:
    """The document as the payer names it; without a number, by its date (and order number)."""
    if line.kind == "credit_note":
        if line.written_as:
            return f"votre avoir n° {line.written_as}" if language == "fr" else f"your credit note {line.written_as}"
        return (f"votre avoir du {short_date(line.invoice_date, 'fr')}" if language == "fr"
                else f"your credit note of {short_date(line.invoice_date, 'en')}")
    if line.written_as:
        return (f"facture n° {line.written_as} du {short_date(line.invoice_date, 'fr')}" if language == "fr"
                else f"invoice {line.written_as} dated {short_date(line.invoice_date, 'en')}")
    order = ""
    if line.po_number:
        order = f" (commande {line.po_number})" if language == "fr" else f" (order {line.po_number})"
    return (f"votre facture du {short_date(line.invoice_date, 'fr')}{order}" if language == "fr"
            else f"your invoice of {short_date(line.invoice_date, 'en')}{order}")


def line_sentence(line: AdviceLine, language: str) -> str:
    """"facture n° FA2026-00012 du 03/02/2026 : 1 200,00 €, sous déduction d'un escompte…"."""
    name, gross, paid = _named(line, language), euros(line.gross, language), euros(line.paid, language)
    if line.kind == "credit_note":
        return (f"déduction faite de {name} : {paid}" if language == "fr" else f"less {name}: {paid}")
    if line.discount:
        discount = euros(line.discount, language)
        return (f"{name} : {gross}, sous déduction d'un escompte pour paiement anticipé de {discount}, soit {paid}"
                if language == "fr" else f"{name}: {gross} less early payment discount of {discount}, i.e. {paid}")
    if line.deduction:
        withheld = euros(line.deduction, language)
        return (f"{name} : {gross}, dont nous retenons {withheld} au titre du litige en cours, soit {paid}"
                if language == "fr" else f"{name}: {gross}, of which we withhold {withheld} pending the dispute, "
                                         f"i.e. {paid}")
    if line.allocated != line.gross:
        return (f"{name} d'un montant de {gross} : règlement partiel de {paid}" if language == "fr"
                else f"{name} for {gross}: part payment of {paid}")
    return f"{name} : {paid}" if language == "fr" else f"{name}: {paid}"


def behalf_sentence(advice: Advice) -> str | None:
    if not advice.on_behalf_of:
        return None
    return (f"Ce règlement est effectué pour le compte de notre filiale {advice.on_behalf_of}."
            if advice.language == "fr" else f"This payment is made on behalf of our subsidiary {advice.on_behalf_of}.")
