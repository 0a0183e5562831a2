"""How a web site lets a bot down, told apart because each calls for a different response, and
decided here once for every bot:

- down — a server error (5xx) or no answer at all (``SiteError``): tried again with pauses; still
  down after the pauses, the item is an application exception (``SiteUnavailable``) retried later;
- signed out — sent back to the sign-in page (``SignedOut``): the flow signs in again;
- changed, or too slow — an element the bot needs never came within the browser timeout, or the
  site showed a page the bot does not know (``UnexpectedScreen``): ``ScreenChanged``, for a
  person (it will not fix itself by retrying).

Screens (``screens.Screen``) raise the first three; a flow wraps its steps in ``signed_in_step``
and ``site_problems`` to turn them into the work-item exceptions.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol, TypeVar

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from robocorp.workitems import ApplicationException

from bots.kit.retry import retry_call

__all__ = [
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
]

T = TypeVar("T")


class SiteError(RuntimeError):
    """The site answered with a server error (5xx) or not at all: transient, try again."""

    def __init__(self, url: str, status: int | None, detail: str = "") -> None:
        self.url = url
        self.status = status
        super().__init__(f"{url} answered {status or 'nothing'}{': ' + detail if detail else ''}")


class SignedOut(RuntimeError):
    """The site sent the bot back to its sign-in page (session expired or ended)."""


class UnexpectedScreen(RuntimeError):
    """An element the bot needs is not on the screen: the site changed (a renamed button, a moved
    field) or showed a page the bot does not know. Not transient: a person must look."""


_WAITED_FOR = (
    (re.compile(r'get_by_role\("(?P<role>[\w-]+)", name="(?P<name>[^"]+)"'), 'the {role} "{name}"'),
    (re.compile(r'get_by_label\("(?P<name>[^"]+)"'), 'the field labelled "{name}"'),
    (re.compile(r'get_by_text\("(?P<name>[^"]+)"'), 'the text "{name}"'),
    (re.compile(r'get_by_title\("(?P<name>[^"]+)"'), 'the element titled "{name}"'),
)
_TIMEOUT = re.compile(r"Timeout (\d+)ms exceeded")


def what_never_came(playwright_error: str) -> str:
    """What a timed-out Playwright action was waiting for, in a handler's words: 'the button "Submit
    invoice" did not appear within 15 s' rather than Playwright's call log."""
    for pattern, words in _WAITED_FOR:
        found = pattern.search(playwright_error)
        if found:
            what = words.format(**found.groupdict())
            break
    else:
        what = "an element the bot needs"
    timeout = _TIMEOUT.search(playwright_error)
    within = f" within {int(timeout.group(1)) / 1000:g} s" if timeout else ""
    return f"{what} did not appear{within}"


class SiteUnavailable(ApplicationException):
    """The site keeps answering with server errors, not at all, or keeps ending the bot's session:
    an application exception, so the item is tried again later (code ``PORTAL_UNAVAILABLE``, the
    name the fleet's retry settings and the exception inbox know it by)."""

    def __init__(self, site: str, detail: str) -> None:
        super().__init__(message=f"{site} is not answering properly: {detail}. The item will be tried again.",
                         code="PORTAL_UNAVAILABLE")


class ScreenChanged(ApplicationException):
    """What the bot needs never came on the screen — the site changed, or is too slow to be worked
    within the browser timeout: no retry will fix it (schedules.yaml escalates ``SCREEN_CHANGED``
    to a person at once)."""

    def __init__(self, site: str, detail: str) -> None:
        super().__init__(message=f"{site} does not show what the bot expects ({detail}). The site may have "
                                 "changed: see the screenshot and trace kept with this failure.",
                         code="SCREEN_CHANGED")


class SignsIn(Protocol):
    """A site's screens put together by a bot (a flow): its name as a person knows it, and a way
    to sign in again."""

    site_name: str

    def sign_in(self) -> None: ...


def signed_in_step(flow: SignsIn, action: Callable[[], T], delays: Sequence[float]) -> T:
    """``action``, signing in again when the site sent the bot back to its sign-in page, and
    trying again after a server error; for steps that change nothing on the site."""
    def attempt() -> T:
        try:
            return action()
        except SignedOut:
            flow.sign_in()
            return action()
    try:
        return retry_call(attempt, retry_on=(SiteError, SignedOut), delays=delays, what=flow.site_name)
    except SiteError as exc:
        raise SiteUnavailable(flow.site_name, str(exc)) from exc
    except SignedOut as exc:
        raise SiteUnavailable(flow.site_name, "it keeps ending the bot's session") from exc


@contextmanager
def site_problems(site: str) -> Iterator[None]:
    """Turns "the element never came" (a Playwright timeout) and an ``UnexpectedScreen`` into
    ``ScreenChanged``, a clear escalation instead of a raw Playwright error."""
    try:
        yield
    except PlaywrightTimeoutError as exc:
        raise ScreenChanged(site, what_never_came(str(exc))) from exc
    except UnexpectedScreen as exc:
        raise ScreenChanged(site, str(exc)) from exc


def not_reached(url: str, error: PlaywrightError) -> SiteError | None:
    """The ``SiteError`` for a navigation that found no site (connection refused or reset, DNS…);
    None when Playwright failed for another reason, which is not the site's."""
    if "net::" in str(error):
        return SiteError(url, None, str(error).splitlines()[0])
    return None
