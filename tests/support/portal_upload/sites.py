"""The practice sites' accounts and their admin API, as the tests see them (the bot never calls
the admin API). Constants live here, not in conftest, so every test module sees the same ones."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests

from tests.support.portal_upload.samples import lines

ADMIN_TOKEN = "admin-secret"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
PORTAL_A_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # fixed: every module sees the same
PORTAL_A_USER = {"login": "mid-ar", "password": "A-pass-1", "totp_secret": PORTAL_A_TOTP}
PORTAL_B_USER = {"login": "mid-ar-b", "password": "B-pass-1"}
CHORUS_API = {"client_id": "piste-app", "client_secret": "piste-secret", "login": "TECH_1_mid@cpro.fr",
              "password": "Tech-Pass-1"}
CHORUS_PORTAL_USER = {"login": "compta@mid-demo.example", "password": "Portail-Pass-1"}
REJECTING_BUYER_SIRET = "11000201100044"


@dataclass
class Site:
    """A running sandbox app and its admin API (which tests use and the bot never does)."""

    url: str
    app: Any

    def admin(self, method: str, path: str, **kwargs: Any) -> Any:
        response = requests.request(method, f"{self.url}/_admin/{path}", headers={"X-Admin-Token": ADMIN_TOKEN},
                                    timeout=10, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    def submissions(self) -> list[dict]:
        return self.admin("GET", "submissions")["submissions"]

    def flows(self) -> list[dict]:
        return self.admin("GET", "flows")["flows"]

    def advance(self, seconds: float) -> None:
        self.admin("POST", "advance", json={"seconds": seconds})

    def faults(self, **settings: Any) -> None:
        self.admin("PUT", "faults", json=settings)


def order_lines() -> list[dict]:
    return [{"description": line.description, "quantity": str(line.quantity), "unit_price": str(line.unit_price)}
            for line in lines()]


