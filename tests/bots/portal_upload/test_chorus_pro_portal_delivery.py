"""Chorus Pro through its web portal in real Chromium, for a supplier without API access: the
deposit gives a flow number; a run before integration recognises the deposit in "Suivi des flux";
a run after integration finds the invoice in "Mes factures émises" — one deposit in all."""
from __future__ import annotations

import pytest
from robocorp.workitems import BusinessException

from bots.portal_upload.statuses import PENDING
from tests.support.portal_upload.facturx_files import facturx_file
from tests.support.portal_upload.samples import invoice, job, public_body
from tests.support.portal_upload.sites import CHORUS_PORTAL_USER

pytestmark = pytest.mark.browser
PUBLIC_JOB = job(invoice(commitment_number="EJ-2026-0042", service_code="SERV-FIN"), public_body())


def test_deposit_through_the_portal_is_recognised_before_and_after_integration(make_channels, chorus_pro, tmp_path):
    pdf = facturx_file(PUBLIC_JOB, tmp_path / "facturx")

    def run():
        target, secret = {"chorus_pro_portal": chorus_pro.url}, {"chorus_pro_portal": CHORUS_PORTAL_USER}
        with make_channels(target, secret) as channels:  # no API target: the portal it is
            driver = channels.driver("chorus_pro")
            return driver.deliver(PUBLIC_JOB, pdf), driver

    deposited, _ = run()
    [flow] = chorus_pro.flows()
    assert deposited.reference == flow["numeroFluxDepot"] and flow["mode"] == "PORTAIL"
    assert flow["nomFichier"] == pdf.name and not deposited.already_delivered

    before_integration, _ = run()
    assert before_integration.already_delivered and before_integration.reference == flow["numeroFluxDepot"]
    assert before_integration.status.status in ("IN_RECU", "IN_EN_COURS_TRAITEMENT_CPP")

    chorus_pro.advance(60 + 300)
    after_integration, _ = run()
    assert after_integration.already_delivered
    assert after_integration.reference == str(chorus_pro.flows()[0]["factures"][0]["identifiantFactureCPP"])
    assert after_integration.status.status == "MISE_A_DISPOSITION" and after_integration.status.outcome == PENDING
    assert len(chorus_pro.flows()) == 1


def test_a_deposit_rejected_by_chorus_pro_comes_back_with_its_reasons(make_channels, chorus_pro, tmp_path):
    unknown_buyer = job(invoice("FA2026-00099"), public_body(siret="20000000000001", chorus_service_code=None))
    pdf = facturx_file(unknown_buyer, tmp_path / "facturx")
    secrets = {"chorus_pro_portal": CHORUS_PORTAL_USER}
    with make_channels({"chorus_pro_portal": chorus_pro.url}, secrets) as channels:
        deposited = channels.driver("chorus_pro").deliver(unknown_buyer, pdf)
    chorus_pro.advance(60)

    with make_channels({"chorus_pro_portal": chorus_pro.url}, secrets) as channels:
        with pytest.raises(BusinessException, match="Destinataire non trouve") as rejected:
            channels.driver("chorus_pro").follow(unknown_buyer, deposited)
    assert rejected.value.code == "PORTAL_REJECTED" and deposited.reference in rejected.value.message
