"""The never-twice rule on its own, with a scripted portal (no browser): what the bot does when the
portal says "duplicate", when a submit fails half-way, when the session ends, and when a duplicate
cannot be found in the list."""
from __future__ import annotations

from pathlib import Path

import pytest

from bots.kit import SignedOut, SiteError, SiteUnavailable
from bots.portal_upload.channels.web_portal import (
    AlreadySubmitted,
    Listed,
    PortalRefused,
    Submitted,
    deliver_on_portal,
)
from bots.portal_upload.statuses import portal_status
from tests.support.portal_upload.samples import job

JOB = job()
LISTED = Listed("FA2026-00042", "REF-1", portal_status("Received"))


class ScriptedPortal:
    """Answers ``find`` and ``submit`` from scripts; records what the bot did."""

    channel = "scripted"
    site_name = "Scripted portal"

    def __init__(self, finds: list, submits: list) -> None:
        self.finds, self.submits, self.calls = finds, submits, []

    def sign_in(self) -> None:
        self.calls.append("sign_in")

    def find(self, invoice_number: str):
        self.calls.append("find")
        return _play(self.finds.pop(0))

    def submit(self, job_, pdf: Path):
        self.calls.append("submit")
        return _play(self.submits.pop(0))

    def show(self, listed: Listed) -> None:
        self.calls.append("show")


class NoBrowser:
    def screenshot(self, path: Path) -> Path:
        return path


def _play(step):
    if isinstance(step, BaseException):
        raise step
    return step


def deliver(portal: ScriptedPortal, tmp_path: Path):
    return deliver_on_portal(portal, NoBrowser(), JOB, tmp_path / "x.pdf", tmp_path, delays=(0, 0))


def test_an_invoice_in_the_list_is_recorded_not_submitted(tmp_path):
    portal = ScriptedPortal([LISTED], [])
    result = deliver(portal, tmp_path)
    assert result.already_delivered and result.reference == "REF-1" and "submit" not in portal.calls


def test_a_duplicate_message_is_resolved_by_looking_in_the_list_again(tmp_path):
    duplicate = AlreadySubmitted("Invoice number FA2026-00042 has already been submitted")
    portal = ScriptedPortal([None, LISTED], [duplicate])
    result = deliver(portal, tmp_path)
    assert result.reference == "REF-1" and portal.calls.count("submit") == 1


def test_a_submit_that_failed_half_way_is_checked_before_any_second_submit(tmp_path):
    portal = ScriptedPortal([None, LISTED], [SiteError("https://portal", 500)])
    result = deliver(portal, tmp_path)
    assert result.reference == "REF-1" and not result.already_delivered  # this run's submit got through
    assert portal.calls == ["find", "submit", "find", "show"]


def test_signed_out_the_bot_signs_in_again_and_looks_first(tmp_path):
    portal = ScriptedPortal([SignedOut("sign-in page"), None, None], [SignedOut("sign-in page"), Submitted("REF-2")])
    result = deliver(portal, tmp_path)
    assert result.reference == "REF-2"
    assert portal.calls == ["find", "sign_in", "find", "submit", "find", "submit"]


def test_a_duplicate_the_list_does_not_show_goes_to_a_person(tmp_path):
    portal = ScriptedPortal([None, None], [AlreadySubmitted("Invoice number FA2026-00042 has already been submitted")])
    with pytest.raises(PortalRefused, match="not in our list"):
        deliver(portal, tmp_path)


def test_a_portal_failing_every_submit_is_given_up_for_later(tmp_path):
    portal = ScriptedPortal([None] * 5, [SiteError("https://portal", 500)] * 5)
    with pytest.raises(SiteUnavailable):
        deliver(portal, tmp_path)
    assert portal.calls.count("submit") == 5 and portal.calls.count("find") == 5
