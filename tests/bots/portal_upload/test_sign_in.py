"""The sign-in screen of each site the bot signs in to (the ERP, portal A with its second factor,
portal B, the Chorus Pro portal), all built on ``bots.kit.SignInScreen``: a wrong password is
a ``SignInRefused`` carrying the site's own words, the right one signs in, and a session that ends
sends the next screen back to the sign-in page, which the screen reports as ``SignedOut``."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bots.kit import SignedOut, SignInRefused, WebLogin, open_browser
from bots.portal_upload.channels.chorus_pro_portal import ChorusProPortalFlow
from bots.portal_upload.channels.portal_a import PortalAFlow
from bots.portal_upload.channels.portal_b import PortalBFlow
from bots.portal_upload.erp import ErpFlow
from tests.support.portal_upload.sites import ADMIN_TOKEN, CHORUS_PORTAL_USER, PORTAL_A_USER, PORTAL_B_USER, Site

pytestmark = pytest.mark.browser
ERP_USER = {"login": "rpa-cash", "password": "Erp-pass-1"}


@pytest.fixture
def erp(live_server, tmp_path) -> Site:
    from sandbox.erp import create_app

    app = create_app({"DATABASE": str(tmp_path / "erp.db"), "ADMIN_TOKEN": ADMIN_TOKEN, "SECRET_KEY": "test",
                      "SLOW_LIST_S": 0})
    site = Site(live_server(app).url, app)
    site.admin("POST", "seed", json={"users": [{"username": ERP_USER["login"], "password": ERP_USER["password"],
                                                "full_name": "RPA cash"}]})
    return site


# site fixture, account, refusal the site shows, the flow, a screen behind the sign-in
SITES: dict[str, tuple[dict[str, str], str, Callable[..., Any], Callable[[Any], None]]] = {
    "erp": (ERP_USER, "Unknown user name or wrong password.", ErpFlow, lambda flow: flow.exports_page.open()),
    "portal_a": (PORTAL_A_USER, "Invalid login or password.", PortalAFlow, lambda flow: flow.list_page.open()),
    "portal_b": (PORTAL_B_USER, "The user name or password is incorrect.", PortalBFlow,
                 lambda flow: flow.list_page.open()),
    "chorus_pro": (CHORUS_PORTAL_USER, "Identifiant ou mot de passe incorrect.", ChorusProPortalFlow,
                   lambda flow: flow.issued_page.open()),
}


@pytest.mark.parametrize("name", SITES)
def test_sign_in_refused_then_accepted_then_signed_out(name, request, settings):
    site: Site = request.getfixturevalue(name)
    account, refusal, make_flow, open_a_screen = SITES[name]
    with open_browser(settings) as browser:
        wrong = WebLogin(account["login"], "not-the-password", account.get("totp_secret"))
        with pytest.raises(SignInRefused) as refused:
            make_flow(browser.page, site.url, wrong, (0,)).sign_in()
        assert refusal in refused.value.message and refused.value.code == "SIGN_IN_REFUSED"

        flow = make_flow(browser.page, site.url, WebLogin.from_secret(name, account), (0,))
        flow.sign_in()
        open_a_screen(flow)  # signed in: the screen comes

        browser.context.clear_cookies()  # the site forgets the session, as when it expires
        with pytest.raises(SignedOut):
            open_a_screen(flow)
