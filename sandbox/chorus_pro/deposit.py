"""Receiving a flow (from ``deposer/flux`` or the portal's upload): refuse what cannot even be
deposited, otherwise record the flow with the decision its integration will reveal later.

Chorus Pro integrates asynchronously; the sandbox takes the decision at reception (files read, each
payment request checked) and ``timeline.py`` reveals it when the integration time comes. One PDF is
one invoice; a ZIP or TAR archive may carry several, which is how a flow ends up partially
integrated.
"""
from __future__ import annotations

import io
import tarfile
import zipfile
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox.chorus_pro.facturx_reader import CiiInvoice, Unreceivable, read_facturx
from sandbox.chorus_pro.integration_rules import BuyerRules, dp_errors
from sandbox.chorus_pro.models import Flow, Invoice, Structure

KNOWN_SYNTAXES = frozenset({
    "IN_DP_E1_UBL_INVOICE", "IN_DP_E1_CII_16B", "IN_DP_E1_XCBL", "IN_DP_E1_PES_FACTURE",
    "IN_DP_E2_UBL_INVOICE_MIN", "IN_DP_E2_CII_MIN_16B", "IN_DP_E2_CPP_FACTURE_MIN", "IN_DP_E2_XCBL_MIN",
    "IN_DP_E2_PES_FACTURE_MIN", "IN_DP_E2_CII_FACTURX",
})
SUPPORTED_SYNTAXES = frozenset({"IN_DP_E2_CII_FACTURX"})
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ARCHIVE_BYTES = 30 * 1024 * 1024
_ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz")


class DepositRefused(Exception):
    """The deposit itself is refused (``codeRetour`` not 0): no flow number is given."""

    def __init__(self, code: int, libelle: str) -> None:
        super().__init__(libelle)
        self.code = code
        self.libelle = libelle


@dataclass(frozen=True)
class DepositRequest:
    supplier_siret: str
    deposited_by: str
    mode: str  # API or PORTAIL
    file_name: str
    content: bytes
    syntax: str
    with_signature: bool


def check_request(file_name: str, content: bytes, syntax: str) -> None:
    """Refuse a deposit the way ``deposerFluxFacture`` does, before any flow exists."""
    if syntax not in KNOWN_SYNTAXES:
        raise DepositRefused(20003, f"La syntaxe du flux {syntax!r} n'est pas reconnue.")
    if syntax not in SUPPORTED_SYNTAXES:
        raise DepositRefused(20003, f"La syntaxe du flux {syntax} n'est pas prise en charge par cet "
                                    "environnement (seule IN_DP_E2_CII_FACTURX l'est).")
    name = file_name.lower()
    if not name.endswith((".pdf",) + _ARCHIVE_SUFFIXES):
        raise DepositRefused(20004, f"L'extension du fichier {file_name} n'est pas autorisee pour la syntaxe "
                                    f"{syntax} (pdf, zip, tar, tar.gz attendus).")
    limit = MAX_FILE_BYTES if name.endswith(".pdf") else MAX_ARCHIVE_BYTES
    if len(content) > limit:
        raise DepositRefused(20001, "GDP_MSG_11.022 - La taille du fichier depasse la taille maximale autorisee "
                                    f"({limit // (1024 * 1024)} Mo).")


def deposit(session: Session, request: DepositRequest, now: datetime) -> Flow:
    """Record a received flow and the invoices it will integrate. Call :func:`check_request` first."""
    flow = Flow(
        supplier_siret=request.supplier_siret, deposited_by=request.deposited_by, mode=request.mode,
        file_name=request.file_name, syntax=request.syntax, with_signature=request.with_signature,
        deposited_at=now, outcome="IN_REJETE", errors_dp=[], errors_technical=[],
    )
    session.add(flow)
    session.flush()
    flow.numero = f"CPP0011117{flow.id:015d}"
    try:
        invoices = [read_facturx(pdf, name) for name, pdf in _pdf_files(request.file_name, request.content)]
    except Unreceivable as exc:
        flow.errors_technical = [{"codeErreur": exc.code, "libelleErreur": exc.message,
                                  "natureErreur": "IRRECEVABILITE"}]
        return flow
    errors_dp: list[dict[str, str]] = []
    integrated = 0
    for invoice in invoices:
        buyer = _buyer(session, invoice.buyer_siret)
        errors = dp_errors(
            invoice,
            account_supplier_siret=request.supplier_siret,
            supplier_known=_supplier_known(session, invoice.seller_siret),
            buyer=_buyer_rules(buyer),
            duplicate=_already_deposited(session, invoice),
        )
        if errors:
            errors_dp.append({
                "numeroDP": invoice.number or "", "libelleErreurDP": "|".join(errors),
                "identifiantFournisseur": invoice.seller_siret or "",
                "identifiantDestinataire": invoice.buyer_siret or "",
            })
            continue
        session.add(_invoice(flow, invoice, buyer))
        session.flush()  # the next invoice of the same flow must see this one as already deposited
        integrated += 1
    flow.errors_dp = errors_dp  # assigned, not appended: JSON columns do not track in-place changes
    flow.outcome = ("IN_INTEGRE" if integrated == len(invoices)
                    else "IN_INTEGRE_PARTIEL" if integrated else "IN_REJETE")
    return flow


def _pdf_files(file_name: str, content: bytes) -> list[tuple[str, bytes]]:
    name = file_name.lower()
    if name.endswith(".pdf"):
        return [(file_name, content)]
    try:
        if name.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                files = [(info.filename, archive.read(info)) for info in archive.infolist()
                         if info.filename.lower().endswith(".pdf")]
        else:
            with tarfile.open(fileobj=io.BytesIO(content), mode="r:*") as archive:
                files = [(member.name, archive.extractfile(member).read()) for member in archive.getmembers()
                         if member.isfile() and member.name.lower().endswith(".pdf")]
    except (zipfile.BadZipFile, tarfile.TarError, EOFError) as exc:
        raise Unreceivable("ERR_FORMAT_003", f"IRRECEVABILITE: l'archive {file_name} est illisible ({exc}).") from exc
    if not files:
        raise Unreceivable("ERR_FORMAT_003", f"IRRECEVABILITE: l'archive {file_name} ne contient aucune facture PDF.")
    return files


def _supplier_known(session: Session, siret: str | None) -> bool:
    return siret is not None and session.scalar(
        select(Structure.id).where(Structure.siret == siret, Structure.is_public.is_(False))) is not None


def _buyer(session: Session, siret: str | None) -> Structure | None:
    if siret is None:
        return None
    return session.scalar(select(Structure).where(Structure.siret == siret, Structure.is_public.is_(True)))


def _buyer_rules(buyer: Structure | None) -> BuyerRules | None:
    if buyer is None:
        return None
    return BuyerRules(buyer.service_code_required, buyer.commitment_required,
                      frozenset(s.code for s in buyer.services if s.active))


def _already_deposited(session: Session, invoice: CiiInvoice) -> bool:
    return invoice.number is not None and session.scalar(
        select(Invoice.id).where(Invoice.supplier_siret == invoice.seller_siret, Invoice.number == invoice.number)
    ) is not None


def _invoice(flow: Flow, invoice: CiiInvoice, buyer: Structure) -> Invoice:
    return Invoice(
        flow=flow, supplier_siret=invoice.seller_siret, supplier_name=invoice.seller_name or "",
        number=invoice.number, kind="AVOIR" if invoice.type_code == "381" else "FACTURE",
        invoice_date=invoice.issue_date, buyer_id=buyer.id, service_code=invoice.service_code,
        commitment=invoice.commitment, currency=invoice.currency or "EUR", total_ht=invoice.total_ht,
        total_ttc=invoice.total_ttc, amount_due=invoice.amount_due, lifecycle=buyer.lifecycle,
    )
