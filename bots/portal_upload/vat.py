"""Which VAT category (EN 16931 BT-151/BT-118, UNTDID 5305) each invoice line falls in, as a pure
decision: a positive rate is "standard rated"; a zero rate needs a reason — an intra-community
supply to a customer in another EU country, or an export outside the EU. A zero rate on a
domestic invoice without a stated category is a mistake the ERP must correct."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from robocorp.workitems import BusinessException

EU_COUNTRIES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT",
    "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})


@dataclass(frozen=True)
class VatCategory:
    code: str  # S, K, G, AE, E, Z
    exemption_code: str | None = None  # BT-121, CEF VATEX list
    exemption_text: str | None = None  # BT-120, printed on the invoice


STANDARD = VatCategory("S")
INTRA_COMMUNITY = VatCategory("K", "VATEX-EU-IC",
                              "Exonération de TVA, livraison intracommunautaire (article 262 ter I du CGI)")
EXPORT = VatCategory("G", "VATEX-EU-G", "Exonération de TVA, exportation hors UE (article 262 I du CGI)")
REVERSE_CHARGE = VatCategory("AE", "VATEX-EU-AE", "Autoliquidation (article 283-2 du CGI)")
_BY_CODE = {c.code: c for c in (STANDARD, INTRA_COMMUNITY, EXPORT, REVERSE_CHARGE)}


class ZeroRateWithoutReason(BusinessException):
    def __init__(self, description: str) -> None:
        super().__init__(
            message=(f"The line \"{description}\" has 0% VAT on a domestic invoice, which needs a VAT exemption "
                     "reason. Correct the VAT rate of the line in the ERP (or its VAT category) and retry."),
            code="VAT_ZERO_RATE_WITHOUT_REASON")


def category_for(rate: Decimal, seller_country: str, buyer_country: str | None, description: str = "",
                 stated: str | None = None) -> VatCategory:
    """The category of a line at ``rate`` sold from ``seller_country`` to ``buyer_country``;
    ``stated`` (a category code the ERP gave) wins when known."""
    if stated:
        try:
            return _BY_CODE[stated.upper()]
        except KeyError:
            raise BusinessException(message=f"VAT category {stated!r} of line \"{description}\" is not one the "
                                            f"bot knows ({', '.join(sorted(_BY_CODE))}).",
                                    code="VAT_CATEGORY_UNKNOWN") from None
    if rate > 0:
        return STANDARD
    if buyer_country and buyer_country != seller_country:
        return INTRA_COMMUNITY if buyer_country in EU_COUNTRIES else EXPORT
    raise ZeroRateWithoutReason(description)
