"""The VAT category of an invoice line (EN 16931 BT-151, UNTDID 5305), as the ERP's tax codes give
it: each line carries its code, stated when the invoice is entered or else derived from the rate and
where the customer is:

- a positive rate is standard rated (S);
- a zero rate to a business in another EU country (one with a VAT number) is reverse charge (AE),
  which is what the ERP prints on such invoices ("Autoliquidation - reverse charge");
- a zero rate to a customer outside the EU is an export (G);
- a zero rate at home has no category the ERP can guess (zero rated, exempt, not subject…): it
  stays empty until someone states it.
"""
from __future__ import annotations

from decimal import Decimal

VAT_CATEGORIES = {
    "S": "Standard rate",
    "Z": "Zero rated goods",
    "E": "Exempt from VAT",
    "AE": "Reverse charge",
    "K": "Intra-community supply",
    "G": "Export outside the EU",
    "O": "Not subject to VAT",
}
EU_COUNTRIES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT",
    "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})


def default_category(rate: Decimal, seller_country: str, buyer_country: str,
                     buyer_vat_number: str | None) -> str | None:
    """The category of a line at ``rate`` (percent) when nobody stated one; None when it cannot be told."""
    if rate > 0:
        return "S"
    if buyer_country and buyer_country != seller_country:
        if buyer_country not in EU_COUNTRIES:
            return "G"
        return "AE" if buyer_vat_number else None  # reverse charge is between VAT-registered businesses
    return None


def category_problem(code: str, rate: Decimal) -> str | None:
    """What is wrong with stating ``code`` for a line at ``rate``, or None."""
    if code not in VAT_CATEGORIES:
        return f"VAT category {code!r} is not one of {', '.join(VAT_CATEGORIES)} (UNTDID 5305)"
    if (code == "S") != (rate > 0):
        return (f"VAT category {code} does not go with a {rate.normalize():f} % rate "
                "(S needs a positive rate, the others 0 %)")
    return None
