"""What every bot shares: settings from the environment, the retry helper, and what a status
read on a channel means (the bot's pure decisions, without any system)."""
from __future__ import annotations

from pathlib import Path

import pytest

from bots.kit.retry import retry_call
from bots.kit.settings import MissingSetting, Settings
from bots.kit.web_errors import SiteError
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
