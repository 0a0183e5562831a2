"""The EN 16931 rules an invoice most often breaks, in words an accounts-receivable clerk
understands, with what to correct. The official wording of every rule stays in the message too,
so a rule missing from this table is still named and described."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Explanation:
    meaning: str
    fix: str


EXPLANATIONS: dict[str, Explanation] = {
    "BR-CO-10": Explanation("the sum of the line amounts does not equal the invoice's lines total",
                            "check each line's quantity × unit price in the ERP, then re-issue the invoice"),
    "BR-CO-13": Explanation("the total without VAT does not equal the sum of the line amounts",
                            "check the invoice's total excluding VAT against its lines in the ERP"),
    "BR-CO-14": Explanation("the VAT total does not equal the sum of the VAT per rate",
                            "check the VAT amount of the invoice in the ERP (rounding per VAT rate)"),
    "BR-CO-15": Explanation("the total with VAT is not the total without VAT plus the VAT",
                            "correct the invoice's totals in the ERP so that total incl. VAT = total excl. VAT "
                            "+ VAT, then re-issue it"),
    "BR-CO-16": Explanation("the amount due is not the total with VAT (minus what was already paid)",
                            "check the amount due and any prepaid amount on the invoice in the ERP"),
    "BR-CO-17": Explanation("the VAT of a rate is not its taxable amount × the rate, rounded to the cent",
                            "check the VAT rate and VAT amount of the invoice's lines in the ERP"),
    "BR-CO-09": Explanation("a VAT number does not start with a country code such as FR",
                            "correct the VAT number in the customer's (or our company's) record"),
    "BR-CO-25": Explanation("an amount is due but the invoice has neither a due date nor payment terms",
                            "fill in the invoice's due date in the ERP"),
    "BR-CO-26": Explanation("the seller cannot be identified: no SIRET or VAT number",
                            "fill in our company's SIRET and VAT number in the ERP settings"),
    "BR-01": Explanation("the invoice does not say which standard it follows", "report it to IT: the bot "
                         "builds this field itself"),
    "BR-02": Explanation("the invoice has no number", "give the invoice its number in the ERP"),
    "BR-03": Explanation("the invoice has no issue date", "fill in the invoice date in the ERP"),
    "BR-05": Explanation("the invoice has no currency", "fill in the invoice's currency in the ERP"),
    "BR-06": Explanation("our company's name is missing", "fill in our company name in the ERP settings"),
    "BR-07": Explanation("the customer's name is missing", "fill in the customer's legal name in the ERP"),
    "BR-08": Explanation("our company's postal address is missing", "fill in our address in the ERP settings"),
    "BR-10": Explanation("the customer's postal address is missing",
                         "fill in the customer's billing address in the ERP"),
    "BR-11": Explanation("the customer's address has no country", "fill in the country of the customer's "
                         "billing address in the ERP"),
    "BR-16": Explanation("the invoice has no lines", "add the invoice's lines in the ERP"),
    "BR-26": Explanation("a line has no unit price", "fill in the unit price of every line in the ERP"),
    "BR-27": Explanation("a line has a negative unit price",
                         "use a positive price (a discount belongs on its own line or a credit note)"),
    "BR-49": Explanation("the payment means are missing", "report it to IT: the bot builds this field itself"),
    "BR-50": Explanation("our bank account (IBAN) is missing", "fill in our IBAN in the ERP settings"),
    "BR-61": Explanation("payment is by bank transfer but our IBAN is missing",
                         "fill in our IBAN in the ERP settings"),
    "BR-S-08": Explanation("the taxable amount of a VAT rate does not equal the lines at that rate",
                           "check the VAT rate of each line in the ERP"),
    "BR-S-09": Explanation("the VAT of a rate is not its taxable amount × the rate",
                           "check the VAT amounts in the ERP"),
    "BR-S-02": Explanation("an invoice with VAT needs our company's VAT number",
                           "fill in our VAT number in the ERP settings"),
    "BR-IC-02": Explanation("an intra-community supply needs both our VAT number and the customer's",
                            "fill in the customer's intra-community VAT number in the ERP"),
    "BR-IC-12": Explanation("an intra-community supply needs the country goods were delivered to",
                            "fill in the country of the customer's address in the ERP"),
    "BR-DEC-12": Explanation("an amount has more than two decimals", "round the invoice's amounts to the cent"),
}


def explain(rule: str, official_text: str) -> str:
    """One sentence for a clerk: the rule id, what it means, what to do, and the official text."""
    known = EXPLANATIONS.get(rule)
    if known is None:
        return f"{rule}: {official_text}"
    return f"{rule}: {known.meaning}. To fix: {known.fix}. (Rule: {official_text})"
