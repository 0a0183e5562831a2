"""The practice systems the bot is proven against, each served on its own port for one test (the
bot reaches them over HTTP only, as it would the real ones), and the bot's own browser."""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bots.kit import Settings
from bots.portal_upload.drivers import Channels
from tests.support.browser import CHROMIUM
from tests.support.portal_upload.samples import PUBLIC_BUYER_SIRET, SELLER, SELLER_SIRET
from tests.support.portal_upload.sites import (
    ADMIN_TOKEN,
    CHORUS_API,
    CHORUS_PORTAL_USER,
    NOW,
    PORTAL_A_USER,
    PORTAL_B_USER,
    REJECTING_BUYER_SIRET,
    Site,
    order_lines,
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(chromium=CHROMIUM, browser_timeout_ms=4000, retry_delays_s=(0, 0, 0, 0),
                    output_dir=tmp_path / "output", print_batch_dir=tmp_path / "print")


@pytest.fixture
def make_channels(settings: Settings, tmp_path: Path) -> Iterator[Callable[..., Channels]]:
    """``make_channels(targets, secrets)``: the bot's drivers against the given sites, with the
    given vault secrets; closed (browser included) when the test ends."""
    opened: list[Channels] = []

    def make(targets: dict[str, str], secrets: dict[str, dict[str, str]]) -> Channels:
        channels = Channels(replace(settings, targets=targets), secrets.__getitem__, tmp_path / "evidence")
        opened.append(channels)
        return channels

    yield make
    for channels in opened:
        channels.close()


@pytest.fixture
def portal_a(live_server, tmp_path: Path) -> Site:
    from sandbox.portal_a import create_app

    app = create_app({"DATABASE": str(tmp_path / "portal_a.db"), "ADMIN_TOKEN": ADMIN_TOKEN,
                      "SECRET_KEY": "test", "CLOCK": lambda: NOW})
    site = Site(live_server(app).url, app)
    site.admin("POST", "seed", json={
        "users": [{**PORTAL_A_USER, "supplier_id": "SUP-4242"}],
        "purchase_orders": [{"po_number": "PO-1001", "supplier_id": "SUP-4242", "buyer": "NorthBuy Logistics",
                             "currency": "EUR", "lines": order_lines()}]})
    return site


@pytest.fixture
def portal_b(live_server, tmp_path: Path) -> Site:
    from sandbox.portal_b import create_app

    app = create_app({"DATABASE": str(tmp_path / "portal_b.db"), "ADMIN_TOKEN": ADMIN_TOKEN,
                      "SECRET_KEY": "test", "CLOCK": lambda: NOW})
    site = Site(live_server(app).url, app)
    site.admin("POST", "seed", json={
        "users": [{**PORTAL_B_USER, "supplier_id": "AN0123456789"}],
        "purchase_orders": [{"po_number": "PO-1001", "supplier_id": "AN0123456789", "buyer": "Arbor Foods",
                             "currency": "EUR", "vat_rate": "20", "lines": order_lines()}]})
    return site


@pytest.fixture
def chorus_pro(live_server, tmp_path: Path) -> Site:
    from sandbox.chorus_pro import create_app

    app = create_app({"DATABASE": str(tmp_path / "chorus.sqlite"), "SECRET_KEY": "test",
                      "ADMIN_TOKEN": ADMIN_TOKEN, "CLOCK": lambda: NOW, "TOKEN_LIFETIME_S": 600})
    site = Site(live_server(app).url, app)
    site.admin("POST", "seed", json={
        "oauth_clients": [{"client_id": CHORUS_API["client_id"], "client_secret": CHORUS_API["client_secret"]}],
        "technical_accounts": [{"login": CHORUS_API["login"], "password": CHORUS_API["password"],
                                "supplier_siret": SELLER_SIRET}],
        "portal_users": [{**CHORUS_PORTAL_USER, "supplier_siret": SELLER_SIRET}],
        "suppliers": [{"siret": SELLER_SIRET, "name": SELLER.name}],
        "structures": [
            {"siret": PUBLIC_BUYER_SIRET, "name": "Commune de Clermont-Ferrand", "service_code_required": True,
             "commitment_required": True, "services": [{"code": "SERV-FIN", "name": "Direction des finances"},
                                                       {"code": "ANCIEN", "name": "Fermé", "active": False}]},
            {"siret": REJECTING_BUYER_SIRET, "name": "Ministère de l'Intérieur", "lifecycle": "rejected",
             "services": []},
        ]})
    return site


@pytest.fixture(scope="module")
def mail_server() -> Iterator[Any]:
    from sandbox.mail import MailServer

    folder = Path(tempfile.mkdtemp(prefix="arfleet-bot-mail-"))
    folder.chmod(0o755)  # Dovecot keeps mail as the `mail` user, which cannot enter pytest's tmp_path
    accounts = {"factures@garnier.example": "garnier-pw", "accounts@brussels-tools.example": "bt-pw",
                "ar@mid-demo.example": "ar-pw"}
    with MailServer(folder, accounts) as server:
        yield server
    shutil.rmtree(folder, ignore_errors=True)
