"""Debian's Chromium for Playwright (``playwright install`` cannot download here): where it is and
how the tests launch it."""
from __future__ import annotations

import os

CHROMIUM = os.environ.get("ARFLEET_CHROMIUM", "/usr/lib/chromium/chromium")


def launch_args(base: dict | None = None) -> dict:
    """Playwright's ``browser_type.launch`` arguments ``base`` with Debian's Chromium as the browser."""
    return {**(base or {}), "executable_path": CHROMIUM}
