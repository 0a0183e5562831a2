"""How a web site lets a bot down, told apart because each calls for a different response:
a server error is tried again, being signed out means signing in again, and a screen that no
longer looks as expected needs a person (it will not fix itself by retrying)."""
from __future__ import annotations

import re


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
