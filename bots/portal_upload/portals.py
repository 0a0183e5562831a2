"""Which driver delivers each channel, and what it is built from (settings, vault secrets, the
browser, opened only when a web channel is used and shared by all of them in a run).

Adding a customer portal is: its page objects (``pages/<portal>.py``), its flow
(``<portal>_flow.py``: sign in, find, submit, show), one entry in ``routing.PORTALS`` and one in
``WEB_PORTALS`` below — plus, in the environment, ``ARFLEET_TARGET_<PORTAL>_URL`` and a vault secret
named after the channel. Nothing else changes.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, nullcontext
from pathlib import Path
from typing import Any, Protocol

from playwright.sync_api import Page
from robocorp.vault import RobocorpVaultError
from robocorp.workitems import ApplicationException

from bots.kit.browser import BrowserSession, FailureEvidence, open_browser
from bots.kit.settings import Settings
from bots.portal_upload.chorus_pro_api import ChorusProApi, ChorusProCredentials
from bots.portal_upload.chorus_pro_delivery import ChorusProApiDriver
from bots.portal_upload.chorus_pro_portal_flow import ChorusProPortalFlow
from bots.portal_upload.delivery import DeliveryResult, Driver, PortalFlow, deliver_on_portal, follow_on_portal
from bots.portal_upload.email_channel import EmailDriver
from bots.portal_upload.letter_batch import LetterDriver
from bots.portal_upload.model import InvoiceJob
from bots.portal_upload.portal_a_flow import PortalAFlow
from bots.portal_upload.portal_b_flow import PortalBFlow
from bots.portal_upload.routing import CHORUS_PRO, EMAIL, LETTER
from bots.portal_upload.web_login import WebLogin


class FlowFactory(Protocol):
    def __call__(self, page: Page, base_url: str, login: WebLogin, delays: Sequence[float]) -> PortalFlow: ...


#: Customer portals: channel → flow. The target URL and the vault secret carry the channel's name.
WEB_PORTALS: dict[str, FlowFactory] = {
    "portal_a": PortalAFlow,
    "portal_b": PortalBFlow,
}
CHORUS_PRO_API_TARGET = "chorus_pro_api"  # the API's base URL (PISTE gateway)
PISTE_OAUTH_TARGET = "piste_oauth"  # the OAuth server's base URL
CHORUS_PRO_PORTAL_TARGET = "chorus_pro_portal"
TOKEN_PATH = "/api/oauth/token"
Secrets = Callable[[str], Mapping[str, Any]]


class WebPortalDriver:
    """A customer portal (or Chorus Pro's portal) driven through its flow in the shared browser."""

    def __init__(self, flow: PortalFlow, browser: BrowserSession, evidence_dir: Path, settings: Settings) -> None:
        self.channel = flow.channel
        self.flow, self.browser, self.evidence_dir, self.settings = flow, browser, evidence_dir, settings

    def deliver(self, job: InvoiceJob, facturx_pdf: Path) -> DeliveryResult:
        return deliver_on_portal(self.flow, self.browser, job, facturx_pdf, self.evidence_dir,
                                 self.settings.retry_delays_s)

    def follow(self, job: InvoiceJob, delivered: DeliveryResult) -> DeliveryResult:
        return follow_on_portal(self.flow, delivered, job.invoice.number, self.settings.retry_delays_s)


class Channels:
    """The drivers of one bot run, built on first use and kept for the run."""

    def __init__(self, settings: Settings, secrets: Secrets, evidence_dir: Path) -> None:
        self.settings = settings
        self.secrets = secrets
        self.evidence_dir = evidence_dir
        self._drivers: dict[str, Driver] = {}
        self._browser: BrowserSession | None = None
        self._api: ChorusProApi | None = None
        self._stack = ExitStack()

    def driver(self, channel: str) -> Driver:
        if channel not in self._drivers:
            self._drivers[channel] = self._build(channel)
        return self._drivers[channel]

    def chorus_pro_api(self) -> ChorusProApi | None:
        """The API client when the API is configured (else deposits go through the portal)."""
        if CHORUS_PRO_API_TARGET not in self.settings.targets:
            return None
        if self._api is None:
            secret = self._secret("chorus_pro_api")
            try:
                credentials = ChorusProCredentials.from_secret(secret)
            except KeyError as exc:
                raise ApplicationException(message=f"The vault secret 'chorus_pro_api' has no {exc.args[0]!r} key.",
                                           code="VAULT_SECRET_INCOMPLETE") from None
            token_url = self.settings.targets.get(PISTE_OAUTH_TARGET, self.settings.target_url(CHORUS_PRO_API_TARGET))
            self._api = ChorusProApi(self.settings.target_url(CHORUS_PRO_API_TARGET), token_url + TOKEN_PATH,
                                     credentials, retry_delays=self.settings.retry_delays_s)
        return self._api

    def browser(self) -> BrowserSession:
        if self._browser is None:
            self._browser = self._stack.enter_context(open_browser(self.settings))
        return self._browser

    def failures(self) -> list[FailureEvidence]:
        """What was kept of the failures so far (screenshots, traces)."""
        return list(self._browser.failures) if self._browser is not None else []

    @contextmanager
    def evidence(self, label: str) -> Iterator[None]:
        """A screenshot and a trace of the block if it fails — when the browser is in use."""
        with (self._browser.evidence(label) if self._browser is not None else nullcontext()):
            yield

    def close(self) -> None:
        self._stack.close()
        self._browser = None

    def __enter__(self) -> Channels:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _build(self, channel: str) -> Driver:
        if channel in WEB_PORTALS:
            return self._web(WEB_PORTALS[channel], channel, channel)
        if channel == CHORUS_PRO:
            api = self.chorus_pro_api()
            if api is not None:
                return ChorusProApiDriver(api, self.evidence_dir)
            return self._web(ChorusProPortalFlow, CHORUS_PRO_PORTAL_TARGET, "chorus_pro_portal")
        if channel == EMAIL:
            secret = self.settings.smtp_secret
            login = WebLogin.from_secret(secret, self._secret(secret)) if secret else None
            return EmailDriver(self.settings.smtp_host, self.settings.smtp_port, self.settings.mail_from,
                               self.evidence_dir, login)
        if channel == LETTER:
            return LetterDriver(self.settings.print_batch_dir, self.settings.timezone)
        raise KeyError(f"no driver for channel {channel!r}")

    def _secret(self, name: str) -> Mapping[str, Any]:
        try:
            return self.secrets(name)
        except (KeyError, RobocorpVaultError) as exc:
            raise ApplicationException(message=f"The vault has no usable secret {name!r} ({exc}): add it for this "
                                               "bot.", code="VAULT_SECRET_MISSING") from exc

    def _web(self, factory: FlowFactory, target: str, secret: str) -> WebPortalDriver:
        browser = self.browser()
        login = WebLogin.from_secret(secret, self._secret(secret))
        flow = factory(browser.page, self.settings.target_url(target), login, self.settings.retry_delays_s)
        return WebPortalDriver(flow, browser, self.evidence_dir, self.settings)
