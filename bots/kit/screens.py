"""The base of every page object: opening a screen and submitting a form the way a person does,
while noticing what a person would notice — an error page from the server, being sent back to the
sign-in page, no site at all — and saying so with an exception the flow can act on (what each
means is decided in ``web_errors``).

Page objects built on it keep to the Playwright guidance: locators built once in ``__init__`` by
role and label, one method per user action, explicit waits, no sleeps and no business rules.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Download, Locator, Page, Response
from playwright.sync_api import Error as PlaywrightError

from bots.kit.retry import retry_call
from bots.kit.web_errors import SignedOut, SiteError, UnexpectedScreen, not_reached

__all__ = ["RELOAD_DELAYS", "Screen", "SignInScreen", "alert_messages", "table_rows"]

RELOAD_DELAYS = (0.5, 2.0, 5.0)  # pauses before reloading an error page


class Screen:
    """One screen of a target site, reached under ``base_url``."""

    #: Paths of the site's sign-in pages: landing there means the session is gone.
    sign_in_paths: tuple[str, ...] = ()
    #: False for the sign-in screens themselves.
    needs_session: bool = True

    def __init__(self, page: Page, base_url: str, reload_delays: Sequence[float] = RELOAD_DELAYS) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.reload_delays = tuple(reload_delays)

    def _open(self, path: str) -> None:
        """Go to ``path`` on the site and make sure the screen really came."""
        url = self.base_url + path
        self._arrive(lambda: self.page.goto(url, wait_until="load"), url)

    def _submit(self, action: Callable[[], None]) -> None:
        """Run ``action`` (a click that sends a form or follows a link) and wait for the page it
        leads to."""
        def navigate() -> Response | None:
            with self.page.expect_navigation(wait_until="load") as navigation:
                action()
            return navigation.value
        self._arrive(navigate, self.page.url)

    def _arrive(self, navigate: Callable[[], Response | None], url: str) -> None:
        """Navigate, then deal with an error page as a person would: a page that was merely fetched
        (GET, including the page a form redirected to) is reloaded; a form whose sending failed is
        not sent again here — whether it got through is for the flow to find out."""
        response = self._navigate(navigate, url)
        if response is not None and response.status >= 500:
            if response.request.method != "GET":
                raise SiteError(response.url, response.status, response.status_text)
            retry_call(lambda: self._reload(), retry_on=(SiteError,), delays=self.reload_delays,
                       what=f"reloading {response.url}")
        if self.needs_session and self.on_sign_in_page():
            raise SignedOut(f"{self.base_url} sent the bot back to its sign-in page")

    def _download(self, action: Callable[[], None], folder: Path) -> Path:
        """Run ``action`` (a click on a link or button that downloads a file) and save the file in
        ``folder`` under the name the site gives it. Instead of the file the site may answer with
        an error page (``SiteError``, nothing was changed: the caller may simply try again), the
        sign-in page (``SignedOut``) or another page (``UnexpectedScreen``, with its messages)."""
        downloads: list[Download] = []

        def downloaded(download: Download) -> None:
            downloads.append(download)

        self.page.on("download", downloaded)
        try:
            with self.page.expect_response(lambda r: r.request.is_navigation_request()
                                           and r.frame == self.page.main_frame) as answered:
                self._navigate(action, self.page.url)
            response = answered.value
            if response.status >= 500:
                raise SiteError(response.url, response.status, response.status_text)
            if response.status >= 300:  # a redirect or a page with a message, not a file
                self.page.wait_for_load_state("load")
                if self.on_sign_in_page():
                    raise SignedOut(f"{self.base_url} sent the bot back to its sign-in page")
                shown = " ".join(self.page.get_by_role("alert").all_inner_texts()) or f"HTTP {response.status}"
                raise UnexpectedScreen(f"{response.url} answered with a page instead of a file: {shown}")
            download = downloads[0] if downloads else self.page.wait_for_event("download")
        finally:
            self.page.remove_listener("download", downloaded)
        failure = download.failure()
        if failure:
            raise SiteError(download.url, None, f"the download failed: {failure}")
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / Path(download.suggested_filename).name
        download.save_as(target)
        return target

    def _reload(self) -> None:
        response = self._navigate(lambda: self.page.reload(wait_until="load"), self.page.url)
        if response is not None and response.status >= 500:
            raise SiteError(response.url, response.status, response.status_text)

    @staticmethod
    def _navigate(navigate: Callable[[], Response | None], url: str) -> Response | None:
        try:
            return navigate()
        except PlaywrightError as exc:
            missing = not_reached(url, exc)  # connection refused, reset, DNS...: the site is not there
            if missing is not None:
                raise missing from exc
            raise

    def on_sign_in_page(self) -> bool:
        return urlsplit(self.page.url).path.startswith(self.sign_in_paths) if self.sign_in_paths else False


class SignInScreen(Screen):
    """A site's sign-in form: a login box and a password box found by their labels, a button found
    by its name, and — when the site keeps the bot on its sign-in page — the refusal it shows in an
    alert. A site's sign-in page is one subclass naming its path, labels and button, beside the
    site's own ``Screen`` subclass (which gives ``sign_in_paths``)::

        class LoginPage(ErpScreen, SignInScreen):
            path, login_label, password_label, button_name = "/login", "User name", "Password", "Log in"

    Being signed out (the session expired or was ended) is noticed by every other screen of the
    site: landing on a path of ``sign_in_paths`` raises ``SignedOut``, and the flow signs in again.
    """

    needs_session = False
    #: Where the form is, and how a person finds its fields and button (each subclass says).
    path: str
    login_label: str
    password_label: str
    button_name: str

    def __init__(self, page: Page, base_url: str, reload_delays: Sequence[float] = RELOAD_DELAYS) -> None:
        super().__init__(page, base_url, reload_delays)
        self.login_box = page.get_by_label(self.login_label, exact=True)
        self.password_box = page.get_by_label(self.password_label, exact=True)
        self.sign_in_button = page.get_by_role("button", name=self.button_name)
        self.alerts = page.get_by_role("alert")

    def open(self) -> None:
        self._open(self.path)

    def sign_in(self, login: str, password: str) -> None:
        """Fill in the form and send it; the page it leads to has loaded when this returns."""
        self.login_box.fill(login)
        self.password_box.fill(password)
        self._submit(self.sign_in_button.click)

    def error_message(self) -> str | None:
        """Why the site refused the sign-in, while it still shows its sign-in page (None otherwise)."""
        if not self.on_sign_in_page():
            return None
        return " ".join(alert_messages(self.alerts)) or None


def alert_messages(alerts: Locator) -> list[str]:
    """What the alerts on a page say, one message per list item (an alert listing several problems)
    or per alert, whitespace tidied."""
    messages = []
    for alert in alerts.all():
        items = alert.get_by_role("listitem").all_inner_texts()
        messages += [" ".join(text.split()) for text in (items or [alert.inner_text()])]
    return messages


def table_rows(table: Locator) -> list[dict[str, str]]:
    """A data table as a person reads it: one dict per body row, keyed by the column headers, so
    page objects do not depend on the order of columns."""
    if table.count() == 0:
        return []
    # Text as written in the page, not as styled (a header may be shown upper-cased by CSS).
    headers = [" ".join(h.split()) for h in table.get_by_role("columnheader").all_text_contents()]
    rows = []
    for row in table.get_by_role("row").all():
        cells = row.get_by_role("rowheader").or_(row.get_by_role("cell")).all_text_contents()
        if cells and len(cells) == len(headers):
            rows.append(dict(zip(headers, (" ".join(c.split()) for c in cells), strict=True)))
    return rows
