"""How a web site lets a bot down, told apart because each calls for a different response:
a server error is tried again, being signed out means signing in again, and a screen that no
longer looks as expected needs a person (it will not fix itself by retrying)."""
from __future__ import annotations


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
