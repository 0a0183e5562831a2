"""Signing a bot in with an account from the vault, the same way on every site: the login as the
vault keeps it (``WebLogin``: user, password and, where the site asks for a second factor, the TOTP
secret of its authenticator; its repr never shows the secrets), and the sign-in on a site's
``screens.SignInScreen``, whose refusal (a wrong secret, a locked account) is an application
exception in the site's own words — the account needs fixing, not the item."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from robocorp.workitems import ApplicationException

if TYPE_CHECKING:
    from bots.kit.screens import SignInScreen

__all__ = ["SignInRefused", "WebLogin", "open_and_sign_in"]


@dataclass(frozen=True)
class WebLogin:
    login: str
    password: str
    totp_secret: str | None = None

    @classmethod
    def from_secret(cls, name: str, secret: Mapping[str, Any]) -> WebLogin:
        """From a vault secret with ``login`` (or ``username``), ``password`` and optionally
        ``totp_secret``."""
        try:
            login = secret["login"] if "login" in secret else secret["username"]
            return cls(str(login), str(secret["password"]),
                       str(secret["totp_secret"]) if secret.get("totp_secret") else None)
        except KeyError as exc:
            missing = "login" if exc.args[0] == "username" else exc.args[0]
            raise ApplicationException(message=f"The vault secret {name!r} has no {missing!r} key.",
                                       code="VAULT_SECRET_INCOMPLETE") from None

    def __repr__(self) -> str:
        return f"WebLogin(login={self.login!r}, password=***, totp_secret={'***' if self.totp_secret else None})"


class SignInRefused(ApplicationException):
    """The site refused the bot's login: the vault secret is wrong or the account is locked."""

    def __init__(self, site: str, message: str) -> None:
        super().__init__(message=f"{site} refused the bot's login ({message}): check the account and the vault "
                                 "secret.", code="SIGN_IN_REFUSED")


def open_and_sign_in(screen: SignInScreen, login: WebLogin, site: str) -> None:
    """Open the site's sign-in page and sign in; a refusal (wrong secret, locked account) is raised
    with the site's own words."""
    screen.open()
    screen.sign_in(login.login, login.password)
    refusal = screen.error_message()
    if refusal:
        raise SignInRefused(site, refusal)
