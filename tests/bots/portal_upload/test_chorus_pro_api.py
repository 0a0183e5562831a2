"""The Chorus Pro API client and driver against the live sandbox, over HTTP: a deposit followed to
"mise à disposition" by moving the sandbox's clock, the never-twice search, a rejection carrying
Chorus Pro's reasons, a crashed attempt's duplicate recognised, and the PISTE token kept until it
expires."""
from __future__ import annotations

from collections import Counter

import pytest
import requests
from robocorp.workitems import ApplicationException, BusinessException

from bots.portal_upload.channels.chorus_pro_api import ChorusProApiDriver
from bots.portal_upload.chorus_pro_client import (
    ChorusProAccessRefused,
    ChorusProApi,
    ChorusProCredentials,
    ChorusProRejected,
)
from bots.portal_upload.routing import ChorusBuyer
from bots.portal_upload.statuses import PENDING, REJECTED
from tests.support.portal_upload.facturx_files import facturx_file
from tests.support.portal_upload.samples import PUBLIC_BUYER_SIRET, invoice, job, public_body
from tests.support.portal_upload.sites import CHORUS_API, REJECTING_BUYER_SIRET

PUBLIC_JOB = job(invoice(commitment_number="EJ-2026-0042", service_code="SERV-FIN"), public_body())


class CountingSession(requests.Session):
    """Counts the calls per path, to see how often a token is asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[str] = Counter()

    def request(self, method, url, *args, **kwargs):
        self.calls[requests.utils.urlparse(url).path] += 1
        return super().request(method, url, *args, **kwargs)


def client(site, clock=None, session=None, credentials=CHORUS_API) -> ChorusProApi:
    extra = {"clock": clock} if clock else {}
    return ChorusProApi(f"{site.url}/cpro", f"{site.url}/api/oauth/token",
                        ChorusProCredentials.from_secret(credentials),
                        session=session, retry_delays=(0, 0), **extra)


def test_a_deposit_is_followed_until_it_is_made_available_to_the_buyer(chorus_pro, tmp_path):
    driver = ChorusProApiDriver(client(chorus_pro), tmp_path / "evidence")
    pdf = facturx_file(PUBLIC_JOB, tmp_path / "facturx")

    deposited = driver.deliver(PUBLIC_JOB, pdf)
    [flow] = chorus_pro.flows()
    assert deposited.reference == flow["numeroFluxDepot"] and deposited.status.status == "IN_RECU"
    assert deposited.evidence[0].read_text().count(flow["numeroFluxDepot"]) >= 1
    assert driver.follow(PUBLIC_JOB, deposited).status.outcome == PENDING

    chorus_pro.advance(60)  # integrated
    integrated = driver.follow(PUBLIC_JOB, deposited)
    assert integrated.status.status == "DEPOSEE"
    assert integrated.reference == str(flow["factures"][0]["identifiantFactureCPP"])

    chorus_pro.advance(300)
    available = driver.follow(PUBLIC_JOB, integrated)
    assert available.status.status == "MISE_A_DISPOSITION" and not available.status.final
    assert [step["status"] for step in available.details["history"]] == [
        "MISE_A_DISPOSITION", "EN_COURS_ACHEMINEMENT", "DEPOSEE"]


def test_an_invoice_already_on_chorus_pro_is_not_deposited_again(chorus_pro, tmp_path):
    driver = ChorusProApiDriver(client(chorus_pro), tmp_path / "evidence")
    pdf = facturx_file(PUBLIC_JOB, tmp_path / "facturx")
    driver.deliver(PUBLIC_JOB, pdf)
    chorus_pro.advance(60)

    again = driver.deliver(PUBLIC_JOB, pdf)
    assert again.already_delivered and again.details["invoice_id"] == int(again.reference)
    assert len(chorus_pro.flows()) == 1


def test_a_rejected_deposit_is_a_business_exception_with_chorus_pros_reasons(chorus_pro, tmp_path):
    unknown_buyer = job(invoice(), public_body(siret="20000000000001", chorus_service_code=None))
    driver = ChorusProApiDriver(client(chorus_pro), tmp_path / "evidence")
    deposited = driver.deliver(unknown_buyer, facturx_file(unknown_buyer, tmp_path / "facturx"))
    chorus_pro.advance(60)

    with pytest.raises(ChorusProRejected) as rejected:
        driver.follow(unknown_buyer, deposited)
    assert isinstance(rejected.value, BusinessException) and rejected.value.code == "CHORUS_PRO_REJECTED"
    assert "Destinataire non trouve" in rejected.value.message
    assert "IN_REJETE" in rejected.value.message


def test_the_buyers_rejection_comes_back_with_its_comment(chorus_pro, tmp_path):
    ministry = job(invoice(), public_body(siret=REJECTING_BUYER_SIRET, chorus_service_code=None))
    driver = ChorusProApiDriver(client(chorus_pro), tmp_path / "evidence")
    deposited = driver.deliver(ministry, facturx_file(ministry, tmp_path / "facturx"))
    chorus_pro.advance(60 + 3600)

    decided = driver.follow(ministry, deposited)
    assert decided.status.outcome == REJECTED and decided.status.final
    assert "ne correspondent pas" in decided.status.reason


def test_a_deposit_repeated_by_a_crashed_attempt_resolves_to_the_first_invoice(chorus_pro, tmp_path):
    driver = ChorusProApiDriver(client(chorus_pro), tmp_path / "evidence")
    pdf = facturx_file(PUBLIC_JOB, tmp_path / "facturx")
    first = driver.deliver(PUBLIC_JOB, pdf)
    second = driver.deliver(PUBLIC_JOB, pdf)  # before integration the search cannot see the first one
    chorus_pro.advance(60)

    resolved = driver.follow(PUBLIC_JOB, second)
    original = driver.follow(PUBLIC_JOB, first)
    assert resolved.already_delivered and resolved.reference == original.reference
    assert resolved.details["rejected_duplicate_flow"] == second.reference
    flows = chorus_pro.flows()
    assert [f["etatCourantDepotFlux"] for f in flows] == ["IN_INTEGRE", "IN_REJETE"]  # one invoice reached the buyer


def test_the_token_is_asked_for_once_and_renewed_when_it_expires(chorus_pro):
    now = [0.0]
    session = CountingSession()
    api = client(chorus_pro, clock=lambda: now[0], session=session)
    for _ in range(3):
        api.find_invoices(number="NOPE")
    assert session.calls["/api/oauth/token"] == 1

    now[0] += 600  # the token's lifetime in the sandbox: the client renews before using it again
    api.find_invoices(number="NOPE")
    assert session.calls["/api/oauth/token"] == 2

    chorus_pro.advance(700)  # the server expires it although the client still trusts it
    api.find_invoices(number="NOPE")
    assert session.calls["/api/oauth/token"] == 3
    assert session.calls["/cpro/factures/v1/rechercher/fournisseur"] == 6  # one refused, then replayed


def test_the_directory_says_what_a_public_buyer_requires(chorus_pro):
    buyer = client(chorus_pro).buyer(PUBLIC_BUYER_SIRET)
    assert buyer == ChorusBuyer(buyer.structure_id, True, True, frozenset({"SERV-FIN"}))
    assert client(chorus_pro).buyer("99999999999999") is None


def test_wrong_credentials_are_an_application_exception_naming_the_vault(chorus_pro):
    wrong = {**CHORUS_API, "client_secret": "nope"}
    with pytest.raises(ChorusProAccessRefused, match="vault") as refused:
        client(chorus_pro, credentials=wrong).find_invoices(number="X")
    assert isinstance(refused.value, ApplicationException)
    wrong_account = {**CHORUS_API, "password": "nope"}
    with pytest.raises(ChorusProAccessRefused, match="compte technique"):
        client(chorus_pro, credentials=wrong_account).find_invoices(number="X")


def test_a_platform_that_is_down_is_an_application_exception(chorus_pro):
    chorus_pro.faults(down=True)
    with pytest.raises(ApplicationException) as down:
        client(chorus_pro).find_invoices(number="X")
    assert down.value.code == "CHORUS_PRO_UNAVAILABLE"
