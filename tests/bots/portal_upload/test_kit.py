"""What every bot shares: settings from the environment, the retry helper, and what a status
read on a channel means (the bot's pure decisions, without any system)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from robocorp.workitems import BusinessException

from bots.kit import MissingSetting, Settings, SiteError, retry_call
from bots.portal_upload.drivers import Channels
from bots.portal_upload.statuses import (
    ACCEPTED,
    PAID,
    PENDING,
    REJECTED,
    SUSPENDED,
    chorus_flow_status,
    chorus_invoice_status,
    portal_status,
)
from tests.support.portal_upload.samples import customer, job


def test_settings_come_from_the_environment_with_one_variable_per_target():
    settings = Settings.from_env({
        "ARFLEET_CHROMIUM": "/opt/chromium", "ARFLEET_TARGET_PORTAL_A_URL": "https://portal-a.example/ ",
        "ARFLEET_TARGET_CHORUS_PRO_API_URL": "https://api.piste.gouv.fr", "ROBOT_ARTIFACTS": "/tmp/run-1",
        "ARFLEET_RETRY_DELAYS_S": "1,3", "ARFLEET_HEADLESS": "0", "ARFLEET_SMTP_PORT": "2525"})
    assert settings.chromium == "/opt/chromium" and not settings.headless and settings.smtp_port == 2525
    assert settings.targets == {"portal_a": "https://portal-a.example", "chorus_pro_api": "https://api.piste.gouv.fr"}
    assert settings.output_dir == Path("/tmp/run-1") and settings.retry_delays_s == (1.0, 3.0)
    assert settings.print_batch_dir == Path("/tmp/run-1/print-batches")
    with pytest.raises(MissingSetting, match="ARFLEET_TARGET_PORTAL_B_URL"):
        settings.target_url("portal_b")


def test_defaults_use_debians_chromium_headless():
    settings = Settings.from_env({})
    assert settings.chromium == "/usr/lib/chromium/chromium" and settings.headless


def test_retry_tries_again_only_on_transient_errors_and_raises_the_last_one():
    calls, pauses = [], []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise SiteError("https://x", 500)
        return "ok"

    assert retry_call(flaky, retry_on=(SiteError,), delays=(1, 2, 4), sleep=pauses.append) == "ok"
    assert pauses == [1, 2]

    def always_down():
        raise SiteError("https://x", 503)

    with pytest.raises(SiteError, match="503"):
        retry_call(always_down, retry_on=(SiteError,), delays=(0, 0), sleep=pauses.append)

    def wrong_data():
        calls.append(1)
        raise ValueError("not transient")

    calls.clear()
    with pytest.raises(ValueError):
        retry_call(wrong_data, retry_on=(SiteError,), delays=(0, 0, 0))
    assert len(calls) == 1


def test_statuses_say_whether_to_keep_following():
    assert portal_status("Received").outcome == PENDING and not portal_status("Received").final
    assert portal_status("Approved").outcome == ACCEPTED and not portal_status("Approved").final
    assert portal_status("Paid").final and portal_status("Paid").outcome == PAID
    assert portal_status("Rejected", "PO number not found").reason == "PO number not found"
    assert portal_status("On hold").outcome == PENDING  # unknown: keep following, never drop silently
    assert chorus_flow_status("IN_REJETE").outcome == REJECTED
    assert chorus_invoice_status("MISE_A_DISPOSITION").outcome == PENDING
    assert chorus_invoice_status("SUSPENDUE").outcome == SUSPENDED and chorus_invoice_status("SUSPENDUE").final
    assert chorus_invoice_status("MISE_EN_PAIEMENT").outcome == PAID


def test_the_connection_file_gives_targets_mail_and_print_folder_and_the_environment_wins(tmp_path):
    connection = tmp_path / "connection.json"
    connection.write_text(json.dumps({
        "data_dir": str(tmp_path / "sandbox"),
        "urls": {"erp": "http://127.0.0.1:41001", "portal_a": "http://127.0.0.1:41002/",
                 "chorus_pro": "http://127.0.0.1:41004", "chorus_pro_api": "http://127.0.0.1:41004/cpro",
                 "chorus_pro_token": "http://127.0.0.1:41004/api/oauth/token"},
        "mail": {"host": "127.0.0.2", "imap_port": 41005, "smtp_port": 41006, "ar_mailbox": "ar@mid-demo.example"},
        "credentials": {"erp_rpa.cash": {"username": "rpa.cash", "password": "never read from here"}}}))
    settings = Settings.from_env({
        "ARFLEET_CONNECTION_FILE": str(connection), "ARFLEET_TARGET_PORTAL_A_URL": "https://portal-a.example",
        "ARFLEET_BOT_TARGET_PORTAL_A_URL": "https://portal-a.test", "ARFLEET_BOT_RETRY_DELAYS_S": "0,1",
        "ARFLEET_RETRY_DELAYS_S": "9", "ARFLEET_BOT_CHORUS_PRO_PORTAL_BUYERS": "21630113500010, 2163 0113 500028"})
    assert settings.targets == {
        "erp": "http://127.0.0.1:41001", "portal_a": "https://portal-a.test", "chorus_pro": "http://127.0.0.1:41004",
        "chorus_pro_portal": "http://127.0.0.1:41004", "chorus_pro_api": "http://127.0.0.1:41004/cpro",
        "chorus_pro_token": "http://127.0.0.1:41004/api/oauth/token"}
    assert (settings.smtp_host, settings.smtp_port, settings.mail_from) == ("127.0.0.2", 41006, "ar@mid-demo.example")
    assert settings.print_batch_dir == tmp_path / "sandbox" / "print-batches"  # outlives the run
    assert settings.retry_delays_s == (0.0, 1.0)  # ARFLEET_BOT_* (what the runner passes) first
    assert settings.chorus_pro_portal_buyers == {"21630113500010", "21630113500028"}
    assert "never read" not in repr(settings)
    with pytest.raises(MissingSetting, match="cannot be read"):
        Settings.from_env({"ARFLEET_CONNECTION_FILE": str(tmp_path / "missing.json")})


def test_the_portal_account_is_the_vault_secret_named_after_the_customers_supplier_id(tmp_path):
    def channels(secrets: dict) -> Channels:
        settings = Settings(targets={"portal_a": "http://127.0.0.1:9"}, output_dir=tmp_path)
        return Channels(settings, secrets.__getitem__, tmp_path / "evidence")

    job_ = job(cust=customer(invoice_channel="portal_a", portal_supplier_id="SUP-4242"))
    account = {"login": "mid", "password": "pw", "totp_secret": "JBSWY3DPEHPK3PXP"}
    chosen = channels({"portal_a_SUP-4242": account, "portal_a": {**account, "login": "other"}})
    assert chosen._portal_secret_name("portal_a", job_) == "portal_a_SUP-4242"
    assert channels({"portal_a": account})._portal_secret_name("portal_a", job_) == "portal_a"  # one account for all
    with pytest.raises(BusinessException) as mismatch:
        channels({"portal_a": {**account, "supplier_id": "SUP-9999"}}).driver("portal_a", job_)
    assert mismatch.value.code == "PORTAL_ACCOUNT_MISMATCH" and "«Portal supplier id»" in mismatch.value.message
    with pytest.raises(BusinessException) as missing:
        channels({}).driver("portal_a", job_)
    assert missing.value.code == "PORTAL_ACCOUNT_MISSING" and "portal_a_SUP-4242" in missing.value.message
