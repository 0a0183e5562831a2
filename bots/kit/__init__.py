"""What every arfleet bot shares, so that each bot holds only its own business: one settings
object read from the environment and the connection file (``settings``), a Chromium launch with
one session per account that keeps a screenshot and a Playwright trace of every failure
(``browser``), a base for page objects that notices a site's own failures and downloads files
(``screens``), signing in with an account from the vault (``sign_in``), what a site's failures
mean — down, signed out, changed or too slow — and the work-item exceptions they become
(``web_errors``), the receipts and failure evidence kept on work items (``receipts``), and a small
retry helper for transient errors (``retry``).

Bots import the kit from here (``from bots.kit import Settings, open_chromium``): the names below
are its public surface — every module's ``__all__`` but ``asset_cache``'s, which is the browser's
own business. The kit's modules import one another directly.
"""
from bots.kit.browser import BrowserSession, Chromium, FailureEvidence, open_browser, open_chromium
from bots.kit.receipts import failures_attached, safe_file_name, write_receipt
from bots.kit.retry import retry_call
from bots.kit.screens import RELOAD_DELAYS, Screen, SignInScreen, alert_messages, table_rows
from bots.kit.settings import MissingSetting, Settings
from bots.kit.sign_in import SignInRefused, WebLogin, open_and_sign_in
from bots.kit.web_errors import (
    ScreenChanged,
    SignedOut,
    SignsIn,
    SiteError,
    SiteUnavailable,
    UnexpectedScreen,
    not_reached,
    signed_in_step,
    site_problems,
    what_never_came,
)

__all__ = [
    # settings
    "MissingSetting",
    "Settings",
    # browser
    "BrowserSession",
    "Chromium",
    "FailureEvidence",
    "open_browser",
    "open_chromium",
    # screens
    "RELOAD_DELAYS",
    "Screen",
    "SignInScreen",
    "alert_messages",
    "table_rows",
    # sign_in
    "SignInRefused",
    "WebLogin",
    "open_and_sign_in",
    # web_errors
    "ScreenChanged",
    "SignedOut",
    "SignsIn",
    "SiteError",
    "SiteUnavailable",
    "UnexpectedScreen",
    "not_reached",
    "signed_in_step",
    "site_problems",
    "what_never_came",
    # receipts
    "failures_attached",
    "safe_file_name",
    "write_receipt",
    # retry
    "retry_call",
]
