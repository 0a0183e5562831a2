"""Read a deposited Factur-X PDF as Chorus Pro's reception does: the embedded ``factur-x.xml`` must
be there, parse, and be valid against the EN 16931 XSD; then the fields the integration checks are
taken from the CII XML."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import facturx
from lxml import etree
from pypdf.errors import PyPdfError

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_AGREEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
_SETTLEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
_TOTALS = f"{_SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"


class Unreceivable(Exception):
    """The file cannot be received at all ("irrecevable"): the whole flow is rejected."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CiiInvoice:
    """The fields of a CII invoice that Chorus Pro's integration looks at."""

    number: str | None
    type_code: str | None
    issue_date: date | None
    seller_siret: str | None
    seller_name: str | None
    buyer_siret: str | None
    service_code: str | None  # BT-10 BuyerReference
    commitment: str | None  # BT-13 BuyerOrderReferencedDocument
    currency: str | None
    total_ht: Decimal | None
    total_ttc: Decimal | None
    amount_due: Decimal | None
    payment_means_code: str | None


def read_facturx(pdf: bytes, file_name: str) -> CiiInvoice:
    """The invoice inside a Factur-X PDF, or :class:`Unreceivable` with the reason."""
    try:
        _name, xml = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=False)
    except (PyPdfError, ValueError, TypeError) as exc:
        raise Unreceivable("ERR_FORMAT_001", f"IRRECEVABILITE: le fichier {file_name} n'est pas un PDF lisible "
                           f"({exc}).") from exc
    if not xml:
        raise Unreceivable("ERR_FORMAT_002", f"IRRECEVABILITE: le fichier {file_name} ne contient pas de fichier "
                           "XML factur-x.xml lisible (PDF/A-3 Factur-X attendu).")
    try:
        root = etree.fromstring(xml, parser=_SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise Unreceivable("ERR_XML_001", f"IRRECEVABILITE: {exc}") from exc
    try:
        facturx.xml_check_xsd(root, flavor="factur-x", level="en16931")
    except Exception as exc:  # the library raises a bare Exception wrapping lxml's DocumentInvalid
        raise Unreceivable("ERR_XSD_001", f"IRRECEVABILITE: {_schema_error(exc)}") from exc
    return parse_cii(root)


def _schema_error(exc: Exception) -> str:
    """``<message> - ligne: N - position: M``, the way Chorus Pro reports its schema errors."""
    log = getattr(exc.__cause__, "error_log", None)
    last = log.last_error if log else None
    if last is None:
        return str(exc.__cause__ or exc)
    return f"{last.message} - ligne: {last.line} - position: {last.column}"


def parse_cii(root: etree._Element) -> CiiInvoice:
    """Pick the checked fields out of a CII ``CrossIndustryInvoice``."""
    return CiiInvoice(
        number=_text(root, "rsm:ExchangedDocument/ram:ID"),
        type_code=_text(root, "rsm:ExchangedDocument/ram:TypeCode"),
        issue_date=_date(_text(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString")),
        seller_siret=_siret(_text(root, f"{_AGREEMENT}/ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID")),
        seller_name=_text(root, f"{_AGREEMENT}/ram:SellerTradeParty/ram:Name"),
        buyer_siret=_siret(_text(root, f"{_AGREEMENT}/ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID")),
        service_code=_text(root, f"{_AGREEMENT}/ram:BuyerReference"),
        commitment=_text(root, f"{_AGREEMENT}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
        currency=_text(root, f"{_SETTLEMENT}/ram:InvoiceCurrencyCode"),
        total_ht=_amount(_text(root, f"{_TOTALS}/ram:TaxBasisTotalAmount")),
        total_ttc=_amount(_text(root, f"{_TOTALS}/ram:GrandTotalAmount")),
        amount_due=_amount(_text(root, f"{_TOTALS}/ram:DuePayableAmount")),
        payment_means_code=_text(root, f"{_SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode"),
    )


def _text(root: etree._Element, path: str) -> str | None:
    found = root.find(path, NS)
    if found is None or found.text is None or not found.text.strip():
        return None
    return found.text.strip()


def _siret(value: str | None) -> str | None:
    return None if value is None else value.replace(" ", "")


def _date(value: str | None) -> date | None:
    try:
        return datetime.strptime(value, "%Y%m%d").date() if value else None
    except ValueError:
        return None


def _amount(value: str | None) -> Decimal | None:
    try:
        return Decimal(value).quantize(Decimal("0.01")) if value else None
    except InvalidOperation:
        return None
