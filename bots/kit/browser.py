"""Debian's Chromium through Playwright, set up the same way for every bot: the configured binary
(the real one, not the /usr/bin shell wrapper), headless, kept off the network except for the sites
it is sent to, a default timeout so that a changed screen fails instead of hanging, static assets
fetched once per run (``asset_cache``), and tracing on.

``with open_chromium(settings) as chromium:`` starts the browser once per run; ``chromium.session()``
opens a browser session — its own context (cookies) and page — for each person the bot signs in
as (one per portal account), so two accounts on one site never share a session. Around each piece
of work, ``with session.evidence("INV-1"):`` — when the block raises, a full-page screenshot and the
Playwright trace of that block are written to the output folder (and listed in
``session.failures``) before the exception goes on its way. ``open_browser(settings)`` is the
one-session shorthand.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from bots.kit.asset_cache import AssetCache
from bots.kit.settings import Settings

__all__ = ["BrowserSession", "Chromium", "FailureEvidence", "open_browser", "open_chromium"]

LOGGER = logging.getLogger(__name__)

# Chromium otherwise phones home (updates, safe browsing lists, sync, first-run pings).
QUIET_FLAGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@dataclass(frozen=True)
class FailureEvidence:
    """What was kept of a failed block: a screenshot and a trace zip (either may be missing if the
    browser itself was gone)."""

    label: str
    screenshot: Path | None
    trace: Path | None

    @property
    def files(self) -> list[Path]:
        return [p for p in (self.screenshot, self.trace) if p is not None]


@dataclass
class BrowserSession:
    settings: Settings
    playwright: Playwright
    browser: Browser
    context: BrowserContext
    page: Page
    failures: list[FailureEvidence] = field(default_factory=list)

    @contextmanager
    def evidence(self, label: str) -> Iterator[None]:
        """Trace the block; keep a screenshot and the trace if it raises."""
        self.context.tracing.start_chunk(title=label)
        try:
            yield
        except BaseException:
            self.failures.append(self._keep_failure(label))
            raise
        else:
            self.context.tracing.stop_chunk()

    def screenshot(self, path: Path) -> Path:
        """A full-page screenshot of the current page (evidence of a confirmation, for instance)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def _keep_failure(self, label: str) -> FailureEvidence:
        folder = self.settings.output_dir / "failures"
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{_stamp()}-{_safe(label)}"
        screenshot: Path | None = folder / f"{stem}.png"
        trace: Path | None = folder / f"{stem}-trace.zip"
        try:
            self.page.screenshot(path=str(screenshot), full_page=True)
        except PlaywrightError as exc:  # the page may have crashed with the error we are reporting
            LOGGER.warning("no failure screenshot for %s: %s", label, exc)
            screenshot = None
        try:
            self.context.tracing.stop_chunk(path=str(trace))
        except PlaywrightError as exc:
            LOGGER.warning("no failure trace for %s: %s", label, exc)
            trace = None
        LOGGER.info("failure evidence for %s: %s, %s", label, screenshot, trace)
        return FailureEvidence(label, screenshot, trace)


class Chromium:
    """One browser for the run; sessions (context + page) opened on demand and closed with it."""

    def __init__(self, settings: Settings, playwright: Playwright, browser: Browser, downloads: bool) -> None:
        self.settings, self.playwright, self.browser, self.downloads = settings, playwright, browser, downloads
        self.sessions: list[BrowserSession] = []
        self._assets = AssetCache()

    def session(self) -> BrowserSession:
        context = self.browser.new_context(accept_downloads=self.downloads, timezone_id=self.settings.timezone)
        context.set_default_timeout(self.settings.browser_timeout_ms)
        context.set_default_navigation_timeout(self.settings.browser_timeout_ms)
        self._assets.install(context)
        # DOM snapshots of every action, without the screencast: the failure screenshot is kept apart,
        # and a filmstrip costs the bot a sixth of its speed on a busy machine.
        context.tracing.start(screenshots=False, snapshots=True)
        session = BrowserSession(self.settings, self.playwright, self.browser, context, context.new_page())
        self.sessions.append(session)
        return session

    def failures(self) -> list[FailureEvidence]:
        return [failure for session in self.sessions for failure in session.failures]

    def close(self) -> None:
        for session in self.sessions:
            try:
                session.context.tracing.stop()
                session.context.close()
            except PlaywrightError as exc:  # the browser may be gone already
                LOGGER.warning("closing a browser session: %s", exc)
        self.sessions = []


@contextmanager
def open_chromium(settings: Settings, *, downloads: bool = False) -> Iterator[Chromium]:
    """Launch Chromium; every session opened on it is closed on the way out. ``downloads`` lets
    pages download files (exports, PDFs); bots that only upload keep it off."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=settings.chromium, headless=settings.headless, args=list(QUIET_FLAGS))
        chromium = Chromium(settings, playwright, browser, downloads)
        try:
            yield chromium
        finally:
            chromium.close()
            browser.close()


@contextmanager
def open_browser(settings: Settings, *, downloads: bool = False) -> Iterator[BrowserSession]:
    """Launch Chromium with one session (context and page), tracing on; close everything on the way out."""
    with open_chromium(settings, downloads=downloads) as chromium:
        yield chromium.session()


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _safe(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", label)[:80] or "item"
