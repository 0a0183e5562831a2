"""A client for the Chorus Pro API behind PISTE: an OAuth2 client-credentials token kept until
shortly before it expires, the technical account in the ``cpro-account`` header, and the calls the
bot needs — deposit a Factur-X (``deposer/flux`` with ``IN_DP_E2_CII_FACTURX``), read the deposit's
report (``consulterCRDetaille``), search our invoices (``rechercher/fournisseur``), read an
invoice's status history (``consulter/historique``) and a public buyer's requirements
(``structures/rechercher`` + ``consulter``).

Failures become the two work-item exceptions: the platform down, slow or refusing our credentials
is an ``ApplicationException`` (retried later; credentials are a configuration problem, not the
invoice's); a request Chorus Pro refuses for what it contains is a ``BusinessException`` with
Chorus Pro's own message. Read-only calls are retried on transient errors; a deposit never is —
whether it got through is answered by searching before depositing again.
"""
from __future__ import annotations

import base64
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import requests
from robocorp.workitems import ApplicationException, BusinessException

from bots.kit import retry_call
from bots.portal_upload.routing import ChorusBuyer

SYNTAX_FACTURX = "IN_DP_E2_CII_FACTURX"
FINAL_FLOW_STATES = frozenset({"IN_INTEGRE", "IN_INTEGRE_PARTIEL", "IN_REJETE"})
TOKEN_MARGIN_S = 60  # renew this long before the token's announced expiry
PAGE_SIZE = 100


@dataclass(frozen=True)
class ChorusProCredentials:
    """The PISTE application and the Chorus Pro technical account (from the vault)."""

    client_id: str
    client_secret: str
    login: str
    password: str

    @classmethod
    def from_secret(cls, secret: Mapping[str, Any]) -> ChorusProCredentials:
        """From the vault secret: ``client_id``, ``client_secret`` and the technical account as
        ``technical_login``/``technical_password`` (as `arfleet up` stores it) or ``login``/``password``."""
        login = secret.get("technical_login") or secret["login"]
        password = secret.get("technical_password") or secret["password"]
        return cls(str(secret["client_id"]), str(secret["client_secret"]), str(login), str(password))

    def __repr__(self) -> str:
        return f"ChorusProCredentials(client_id={self.client_id!r}, login={self.login!r}, secrets hidden)"

    @property
    def account_header(self) -> str:
        return base64.b64encode(f"{self.login}:{self.password}".encode()).decode()


@dataclass(frozen=True)
class DepositReceipt:
    flow_number: str  # numeroFluxDepot
    deposited_on: str
    answer: dict[str, Any]


@dataclass(frozen=True)
class FlowReport:
    flow_number: str
    state: str  # etatCourantDepotFlux
    invoice_errors: list[dict[str, Any]]  # listeErreurDP
    technical_errors: list[dict[str, Any]]  # listeErreurTechnique

    @property
    def final(self) -> bool:
        return self.state in FINAL_FLOW_STATES

    def reasons(self) -> list[str]:
        """Every reason Chorus Pro gave, one per line of its report."""
        out = [e.get("libelleErreur", "") for e in self.technical_errors]
        for error in self.invoice_errors:
            out.extend(part.strip() for part in str(error.get("libelleErreurDP", "")).split("|") if part.strip())
        return [r for r in out if r]

    def only_duplicate_of(self, invoice_number: str) -> bool:
        """Whether the one reason for rejecting ``invoice_number`` is that it was deposited before."""
        reasons = self.reasons()
        return bool(reasons) and all(invoice_number in r and "existe deja" in _plain(r) for r in reasons)


@dataclass(frozen=True)
class ChorusInvoice:
    invoice_id: int  # identifiantFactureCPP
    number: str
    status: str
    comment: str | None
    flow_number: str | None


@dataclass(frozen=True)
class StatusStep:
    code: str
    at: str
    comment: str | None


class ChorusProUnavailable(ApplicationException):
    def __init__(self, detail: str) -> None:
        super().__init__(message=f"Chorus Pro is not answering properly ({detail}); the item will be tried again.",
                         code="CHORUS_PRO_UNAVAILABLE")


class ChorusProAccessRefused(ApplicationException):
    def __init__(self, detail: str) -> None:
        super().__init__(message=f"Chorus Pro refused the bot's credentials ({detail}): check the PISTE client and "
                                 "the technical account in the vault secret.", code="CHORUS_PRO_ACCESS")


class ChorusProRefused(BusinessException):
    def __init__(self, what: str, code_retour: Any, libelle: str) -> None:
        super().__init__(message=f"Chorus Pro refused the {what}: {libelle} (codeRetour {code_retour}).",
                         code=f"CHORUS_PRO_{code_retour}")


class ChorusProRejected(BusinessException):
    """The deposit was received, then rejected at integration: Chorus Pro's reasons, word for word."""

    def __init__(self, invoice_number: str, report: FlowReport) -> None:
        self.reasons = report.reasons()
        listed = " ".join(f"({i}) {r}" for i, r in enumerate(self.reasons, start=1))
        super().__init__(message=f"Chorus Pro rejected invoice {invoice_number} (flow {report.flow_number}, "
                                 f"{report.state}): {listed}", code="CHORUS_PRO_REJECTED")


class ChorusProApi:
    """``api_url`` is the API's base on the gateway, ``/cpro`` included (PISTE:
    ``https://api.piste.gouv.fr/cpro``); ``token_url`` the OAuth token endpoint."""

    def __init__(self, api_url: str, token_url: str, credentials: ChorusProCredentials, *,
                 session: requests.Session | None = None, timeout_s: float = 30.0,
                 retry_delays: Sequence[float] = (0.5, 2.0, 5.0), clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.api_url = api_url.rstrip("/")
        self.token_url = token_url
        self.credentials = credentials
        self.http = session or requests.Session()
        self.timeout_s = timeout_s
        self.retry_delays = tuple(retry_delays)
        self._clock = clock
        self._sleep = sleep
        self._token: str | None = None
        self._token_expires_at = 0.0

    # -- the calls --------------------------------------------------------------------------------
    def deposit(self, pdf: bytes, file_name: str) -> DepositReceipt:
        """Deposit one Factur-X PDF. Not retried: a timeout may hide a deposit that got through."""
        answer = self._post("/factures/v1/deposer/flux", {
            "fichierFlux": base64.b64encode(pdf).decode(), "nomFichier": file_name,
            "syntaxeFlux": SYNTAX_FACTURX, "avecSignature": False}, what="deposit", retry=False)
        return DepositReceipt(answer["numeroFluxDepot"], str(answer.get("dateDepot", "")), answer)

    def flow_report(self, flow_number: str) -> FlowReport:
        answer = self._post("/transverses/v1/consulterCRDetaille",
                            {"numeroFluxDepot": flow_number, "syntaxeFlux": SYNTAX_FACTURX}, what="deposit report")
        return FlowReport(flow_number, answer["etatCourantDepotFlux"], list(answer.get("listeErreurDP") or []),
                          list(answer.get("listeErreurTechnique") or []))

    def find_invoices(self, *, number: str | None = None, flow_number: str | None = None) -> list[ChorusInvoice]:
        """Our invoices Chorus Pro has integrated, matching the criteria (all pages)."""
        criteria: dict[str, Any] = {}
        if number:
            criteria["numeroFacture"] = number
        if flow_number:
            criteria["numeroFluxDepot"] = flow_number
        found: list[ChorusInvoice] = []
        page = 1
        while True:
            answer = self._post("/factures/v1/rechercher/fournisseur", {
                **criteria, "rechercheFactureParFournisseur": {"pageResultatDemandee": page,
                                                               "nbResultatsParPage": PAGE_SIZE}},
                what="invoice search")
            for row in answer.get("listeFactures") or []:
                found.append(ChorusInvoice(int(row["identifiantFactureCPP"]), str(row["numeroFacture"]),
                                           str(row["statut"]), row.get("commentaireEtatCourant"),
                                           row.get("numeroFluxDepot")))
            pages = int((answer.get("parametresRetour") or {}).get("pages") or 1)
            if page >= pages:
                return found
            page += 1

    def history(self, invoice_id: int) -> list[StatusStep]:
        """The invoice's statuses, newest first."""
        answer = self._post("/factures/v1/consulter/historique", {"idFacture": invoice_id},
                            what="status history")
        steps = (answer.get("historiquesDesStatuts") or {}).get("histoStatut") or []
        return [StatusStep(s["histoStatutCode"], s.get("histoStatutDatePassage", ""), s.get("histoStatutCommentaire"))
                for s in steps]

    def buyer(self, siret: str) -> ChorusBuyer | None:
        """What the directory says a public buyer requires, or None if Chorus Pro does not know it."""
        answer = self._post("/structures/v1/rechercher", {
            "structure": {"identifiantStructure": siret}, "restreindreStructuresPrivees": True},
            what="directory search")
        structures = answer.get("listeStructures") or []
        if not structures:
            return None
        structure_id = int(structures[0]["idStructureCPP"])
        details = self._post("/structures/v1/consulter", {"idStructureCPP": structure_id},
                             what="directory entry")
        services = self._post("/structures/v1/rechercher/services", {
            "idStructure": structure_id,
            "parametresRechercherServicesStructure": {"pageResultatDemandee": 1, "nbResultatsParPage": 1000}},
            what="directory services")
        parameters = details.get("parametres") or {}
        active = frozenset(s["codeService"] for s in services.get("listeServices") or [] if s.get("estActif"))
        return ChorusBuyer(structure_id, bool(parameters.get("codeServiceDoitEtreRenseigne")),
                           bool(parameters.get("numeroEJDoitEtreRenseigne")), active)

    # -- plumbing ---------------------------------------------------------------------------------
    def token(self) -> str:
        """A valid access token: the cached one until shortly before it expires."""
        if self._token is None or self._clock() >= self._token_expires_at:
            self._token = None
            answer = retry_call(self._request_token, retry_on=(ChorusProUnavailable,), delays=self.retry_delays,
                                what="PISTE token", sleep=self._sleep)
            self._token = answer["access_token"]
            lifetime = float(answer.get("expires_in") or 0)
            self._token_expires_at = self._clock() + max(lifetime - TOKEN_MARGIN_S, lifetime / 2)
        return self._token

    def _request_token(self) -> dict[str, Any]:
        try:
            response = self.http.post(self.token_url, data={
                "grant_type": "client_credentials", "client_id": self.credentials.client_id,
                "client_secret": self.credentials.client_secret, "scope": "openid"}, timeout=self.timeout_s)
        except requests.RequestException as exc:
            raise ChorusProUnavailable(f"PISTE token endpoint: {exc.__class__.__name__}") from exc
        if response.status_code >= 500:
            raise ChorusProUnavailable(f"PISTE token endpoint answered HTTP {response.status_code}")
        body = _json(response)
        if response.status_code != 200 or "access_token" not in body:
            raise ChorusProAccessRefused(f"PISTE: {body.get('error', response.status_code)} "
                                         f"{body.get('error_description', '')}".strip())
        return body

    def _post(self, path: str, body: dict[str, Any], *, what: str, retry: bool = True) -> dict[str, Any]:
        def call() -> dict[str, Any]:
            return self._post_once(path, body, what)
        if not retry:
            return call()
        return retry_call(call, retry_on=(ChorusProUnavailable,), delays=self.retry_delays, what=f"Chorus Pro {what}",
                          sleep=self._sleep)

    def _post_once(self, path: str, body: dict[str, Any], what: str) -> dict[str, Any]:
        response = self._send(path, body)
        if response.status_code == 401 and _json(response).get("error") == "invalid_token":
            self._token = None  # revoked or expired early: one fresh token, then give up
            response = self._send(path, body)
        answer = _json(response)
        if response.status_code == 401:
            raise ChorusProAccessRefused(str(answer.get("libelle") or answer.get("error_description") or "HTTP 401"))
        if response.status_code >= 500 or response.status_code in (408, 429):
            raise ChorusProUnavailable(f"{what}: HTTP {response.status_code}")
        if response.status_code != 200 or answer.get("codeRetour", 0) != 0:
            raise ChorusProRefused(what, answer.get("codeRetour", response.status_code),
                                   str(answer.get("libelle") or f"HTTP {response.status_code}"))
        return answer

    def _send(self, path: str, body: dict[str, Any]) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token()}", "cpro-account": self.credentials.account_header,
                   "Content-Type": "application/json;charset=utf-8", "Accept": "application/json"}
        try:
            return self.http.post(self.api_url + path, json=body, headers=headers, timeout=self.timeout_s)
        except requests.RequestException as exc:
            raise ChorusProUnavailable(f"{path}: {exc.__class__.__name__}") from exc


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _plain(text: str) -> str:
    """Lower case without accents, to read Chorus Pro's messages whichever way they are written."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
