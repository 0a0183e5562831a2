"""The channel drivers of one bot run (``Channels``): which driver delivers each invoice, and what
it is built from (settings, vault secrets, the browser, opened only when a web channel is used and
shared by all of them in a run, with one session per account signed in).

Vault secrets, named as `arfleet up` stores the sandbox's accounts:

- a customer portal: ``<channel>_<our supplier id on it>`` (``portal_a_SUP-242573``), chosen from
  the customer's «Portal supplier id» in the ERP — each supplier id is its own account on the
  portal; a secret named after the channel alone (``portal_a``) serves when there is no
  per-account one. A secret that names its ``supplier_id`` must name the customer's;
- Chorus Pro: ``chorus_pro_api`` (``client_id``, ``client_secret`` and the technical account's
  ``technical_login``/``technical_password`` — or ``login``/``password``) and
  ``chorus_pro_portal`` (``login``, ``password``).

Chorus Pro goes through the API when a ``chorus_pro_api`` target is configured, except for the
buyers listed in ``Settings.chorus_pro_portal_buyers``, and through the web portal otherwise.

Adding a customer portal is: its page objects (``pages/<portal>.py``), its flow
(``channels/<portal>.py``: sign in, find, submit, show), one entry in ``routing.PORTALS`` and one in
``WEB_PORTALS`` below — plus its URL (``ARFLEET_TARGET_<PORTAL>_URL`` or the connection file's
``urls``) and its accounts in the vault. Nothing else changes.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, nullcontext
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from playwright.sync_api import Page
from robocorp.vault import RobocorpVaultError
from robocorp.workitems import ApplicationException, BusinessException

from bots.kit import BrowserSession, Chromium, FailureEvidence, Settings, WebLogin, open_chromium
from bots.portal_upload.channels.chorus_pro_api import ChorusProApiDriver
from bots.portal_upload.channels.chorus_pro_portal import ChorusProPortalFlow
from bots.portal_upload.channels.email import EmailDriver
from bots.portal_upload.channels.letter import LetterDriver
from bots.portal_upload.channels.portal_a import PortalAFlow
from bots.portal_upload.channels.portal_b import PortalBFlow
from bots.portal_upload.channels.web_portal import PortalFlow, WebPortalDriver
from bots.portal_upload.chorus_pro_client import ChorusProApi, ChorusProCredentials
from bots.portal_upload.delivery import Driver
from bots.portal_upload.model import InvoiceJob
from bots.portal_upload.routing import CHORUS_PRO, EMAIL, LETTER


class FlowFactory(Protocol):
    def __call__(self, page: Page, base_url: str, login: WebLogin, delays: Sequence[float]) -> PortalFlow: ...


#: Customer portals: channel → flow. The target URL and the vault secret carry the channel's name.
WEB_PORTALS: dict[str, FlowFactory] = {
    "portal_a": PortalAFlow,
    "portal_b": PortalBFlow,
}
CHORUS_PRO_API_TARGET = "chorus_pro_api"  # the API's base URL on the PISTE gateway, ending in /cpro
CHORUS_PRO_TOKEN_TARGET = "chorus_pro_token"  # the OAuth token endpoint, in full
PISTE_OAUTH_TARGET = "piste_oauth"  # or the OAuth server's base URL
CHORUS_PRO_PORTAL_TARGET = "chorus_pro_portal"
TOKEN_PATH = "/api/oauth/token"
Secrets = Callable[[str], Mapping[str, Any]]


class Channels:
    """The drivers of one bot run, built on first use and kept for the run."""

    def __init__(self, settings: Settings, secrets: Secrets, evidence_dir: Path) -> None:
        self.settings = settings
        self.secrets = secrets
        self.evidence_dir = evidence_dir
        self._drivers: dict[tuple[str, str], Driver] = {}
        self._chromium: Chromium | None = None
        self._api: ChorusProApi | None = None
        self._stack = ExitStack()
        self._secrets: dict[str, Mapping[str, Any] | None] = {}  # read once per run (each read is audited)

    def driver(self, channel: str, job: InvoiceJob | None = None) -> Driver:
        """The driver for ``channel``; ``job`` says which account (a portal's supplier id) and, for
        Chorus Pro, which buyer."""
        if channel in WEB_PORTALS:
            secret = self._portal_secret_name(channel, job)
            key = (channel, secret)
            if key not in self._drivers:
                self._drivers[key] = self._web(WEB_PORTALS[channel], channel, secret)
            return self._drivers[key]
        if channel == CHORUS_PRO and not self._chorus_pro_by_portal(job):
            key = (channel, "api")
            if key not in self._drivers:
                api = self.chorus_pro_api()
                assert api is not None  # configured, or _chorus_pro_by_portal would have said so
                self._drivers[key] = ChorusProApiDriver(api, self.evidence_dir)
            return self._drivers[key]
        key = (channel, "")
        if key not in self._drivers:
            self._drivers[key] = self._build(channel)
        return self._drivers[key]

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
            api_url = self.settings.target_url(CHORUS_PRO_API_TARGET)
            self._api = ChorusProApi(api_url, self._token_url(api_url), credentials,
                                     retry_delays=self.settings.retry_delays_s)
        return self._api

    def chromium(self) -> Chromium:
        if self._chromium is None:
            self._chromium = self._stack.enter_context(open_chromium(self.settings))
        return self._chromium

    def failures(self) -> list[FailureEvidence]:
        """What was kept of the failures so far (screenshots, traces)."""
        return self._chromium.failures() if self._chromium is not None else []

    @contextmanager
    def evidence(self, label: str, driver: Driver | None = None) -> Iterator[None]:
        """A screenshot and a trace of the block if it fails — when ``driver`` works in a browser."""
        browser = getattr(driver, "browser", None)
        with (browser.evidence(label) if isinstance(browser, BrowserSession) else nullcontext()):
            yield

    def close(self) -> None:
        self._stack.close()
        self._chromium = None
        self._drivers.clear()

    def __enter__(self) -> Channels:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _build(self, channel: str) -> Driver:
        if channel == CHORUS_PRO:
            return self._web(ChorusProPortalFlow, CHORUS_PRO_PORTAL_TARGET, "chorus_pro_portal")
        if channel == EMAIL:
            secret = self.settings.smtp_secret
            login = WebLogin.from_secret(secret, self._secret(secret)) if secret else None
            return EmailDriver(self.settings.smtp_host, self.settings.smtp_port, self.settings.mail_from,
                               self.evidence_dir, login)
        if channel == LETTER:
            return LetterDriver(self.settings.print_batch_dir, self.settings.timezone)
        raise KeyError(f"no driver for channel {channel!r}")

    def _chorus_pro_by_portal(self, job: InvoiceJob | None) -> bool:
        if CHORUS_PRO_API_TARGET not in self.settings.targets:
            return True
        return bool(job and job.customer.siret and job.customer.siret in self.settings.chorus_pro_portal_buyers)

    def _token_url(self, api_url: str) -> str:
        targets = self.settings.targets
        if CHORUS_PRO_TOKEN_TARGET in targets:
            return targets[CHORUS_PRO_TOKEN_TARGET]
        if PISTE_OAUTH_TARGET in targets:
            return targets[PISTE_OAUTH_TARGET] + TOKEN_PATH
        parts = urlsplit(api_url)
        return f"{parts.scheme}://{parts.netloc}{TOKEN_PATH}"

    def _portal_secret_name(self, channel: str, job: InvoiceJob | None) -> str:
        """The vault secret of our account on the customer's portal: ``<channel>_<supplier id>``,
        else one named after the channel."""
        supplier_id = job.customer.portal_supplier_id if job else None
        owner = f"customer {job.customer.code} ({job.customer.legal_name})" if job else "the customer"
        if supplier_id and self._found(f"{channel}_{supplier_id}") is not None:
            return f"{channel}_{supplier_id}"
        shared = self._found(channel)
        if shared is not None:
            named = shared.get("supplier_id")
            if supplier_id and named and str(named) != supplier_id:
                raise BusinessException(
                    message=f"The vault's {channel} account is our supplier id «{named}», but the ERP record of "
                            f"{owner} says «{supplier_id}»: correct «Portal supplier id» in the ERP, or ask IT to add "
                            f"the account {channel}_{supplier_id} to the vault; then retry.",
                    code="PORTAL_ACCOUNT_MISMATCH")
            return channel
        raise BusinessException(
            message=f"The vault has no account for our supplier id «{supplier_id}» on {channel} (secret "
                    f"{channel}_{supplier_id}): check «Portal supplier id» in the ERP record of {owner}, or ask IT "
                    "to add the account to the vault; then retry.", code="PORTAL_ACCOUNT_MISSING")

    def _found(self, name: str) -> Mapping[str, Any] | None:
        """The secret, or None when the vault has none by that name (or will not show it to us)."""
        if name not in self._secrets:
            try:
                self._secrets[name] = self.secrets(name)
            except (KeyError, RobocorpVaultError):
                self._secrets[name] = None
        return self._secrets[name]

    def _secret(self, name: str) -> Mapping[str, Any]:
        found = self._found(name)
        if found is None:
            raise ApplicationException(message=f"The vault has no usable secret {name!r}: add it for this bot.",
                                       code="VAULT_SECRET_MISSING")
        return found

    def _web(self, factory: FlowFactory, target: str, secret: str) -> WebPortalDriver:
        login = WebLogin.from_secret(secret, self._secret(secret))
        url = self.settings.target_url(target)
        browser = self.chromium().session()
        flow = factory(browser.page, url, login, self.settings.retry_delays_s)
        return WebPortalDriver(flow, browser, self.evidence_dir, self.settings)
