"""The integration checks Chorus Pro runs on each payment request ("demande de paiement", DP) of a
received flow, as a pure function. The wording follows the real errors' style (unaccented French
naming the XML element, several errors joined with "|" in one ``libelleErreurDP``)."""
from __future__ import annotations

from dataclasses import dataclass

from sandbox.chorus_pro.facturx_reader import CiiInvoice

_AGREEMENT = "FichierXml.SupplyChainTradeTransaction.ApplicableHeaderTradeAgreement"
PAYMENT_MEANS_MISSING = ("L'element FichierXml.SupplyChainTradeTransaction.ApplicableHeaderTradeSettlement."
                         "SpecifiedTradeSettlementPaymentMeans.TypeCode.value est obligatoire.")
NUMBER_MISSING = "L'element FichierXml.ExchangedDocument.ID.value est obligatoire."
SUPPLIER_UNKNOWN = ("L'identifiant fournisseur de la demande de paiement (balise : "
                    f"{_AGREEMENT}.SellerTradeParty.SpecifiedLegalOrganization.ID.value) n'est pas reference "
                    "dans notre systeme.")
SUPPLIER_NOT_ATTACHED = (f"La structure fournisseur (balise : {_AGREEMENT}.SellerTradeParty.SpecifiedLegalOrganization"
                         ".ID.value) n'est pas rattachee au compte utilisateur qui a depose le flux.")
BUYER_UNKNOWN = ("Destinataire non trouve ou inactif : l'identifiant destinataire de la demande de paiement "
                 f"(balise : {_AGREEMENT}.BuyerTradeParty.SpecifiedLegalOrganization.ID.value) n'est pas "
                 "reference dans notre systeme.")
SERVICE_REQUIRED = (f"Le service executant est obligatoire pour ce destinataire (balise : {_AGREEMENT}."
                    "BuyerReference.value).")
SERVICE_UNKNOWN = (f"Le service executant {{code}} (balise : {_AGREEMENT}.BuyerReference.value) n'existe pas ou "
                   "n'est pas actif pour ce destinataire.")
COMMITMENT_REQUIRED = (f"L'engagement juridique ({_AGREEMENT}.BuyerOrderReferencedDocument.IssuerAssignedID.value) "
                       "est obligatoire pour ce destinataire.")
DUPLICATE = ("Le numero de facture {number} (balise : FichierXml.ExchangedDocument.ID.value) existe deja pour ce "
             "fournisseur : une demande de paiement portant ce numero a deja ete deposee.")


@dataclass(frozen=True)
class BuyerRules:
    """What the directory says of the invoice's buyer."""

    service_code_required: bool
    commitment_required: bool
    active_service_codes: frozenset[str]


def dp_errors(
    invoice: CiiInvoice,
    *,
    account_supplier_siret: str,
    supplier_known: bool,
    buyer: BuyerRules | None,
    duplicate: bool,
) -> list[str]:
    """Every reason to reject this payment request; empty when it integrates."""
    errors = []
    if not invoice.number:
        errors.append(NUMBER_MISSING)
    if not invoice.payment_means_code:
        errors.append(PAYMENT_MEANS_MISSING)
    if not supplier_known:
        errors.append(SUPPLIER_UNKNOWN)
    elif invoice.seller_siret != account_supplier_siret:
        errors.append(SUPPLIER_NOT_ATTACHED)
    if buyer is None:
        errors.append(BUYER_UNKNOWN)
    else:
        if invoice.service_code is None and buyer.service_code_required:
            errors.append(SERVICE_REQUIRED)
        elif invoice.service_code is not None and invoice.service_code not in buyer.active_service_codes:
            errors.append(SERVICE_UNKNOWN.format(code=invoice.service_code))
        if invoice.commitment is None and buyer.commitment_required:
            errors.append(COMMITMENT_REQUIRED)
    if duplicate:
        errors.append(DUPLICATE.format(number=invoice.number))
    return errors
