"""The demo's accounts on each system, and the seed each app loads with them.

The demo company's JSON has the ERP's users and the portals' purchase orders; the accounts the
company holds elsewhere are made here, the same for the same demo seed: one supplier account
per supplier id on each portal (portal A's with a TOTP secret), a PISTE client and a technical
account on Chorus Pro plus a portal login, the AR mailbox and one mailbox per customer contact.
``credentials()`` lists them as vault secrets (name -> values) for `arfleet up`."""
from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

BASE32 = string.ascii_uppercase + "234567"


@dataclass
class DemoAccounts:
    seeds: dict[str, dict]  # app -> the JSON it loads through POST /_admin/seed
    mailboxes: dict[str, str]  # address -> password
    ar_mailbox: str
    secrets: dict[str, dict] = field(default_factory=dict)  # vault secret name -> values


def _password(rng: random.Random, length: int = 16) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(rng.choice(alphabet) for _ in range(length))


def _portal_users(rng: random.Random, orders: list[dict], with_totp: bool) -> list[dict]:
    users = []
    for supplier_id in sorted({o["supplier_id"] for o in orders}):
        user = {"login": f"mid-demo.{supplier_id.lower()}", "password": _password(rng), "supplier_id": supplier_id}
        if with_totp:
            user["totp_secret"] = "".join(rng.choice(BASE32) for _ in range(32))
        users.append(user)
    return users


def demo_accounts(demo: dict) -> DemoAccounts:
    """Accounts and seeds for ``demo`` (a ``generate()`` output)."""
    rng = random.Random(f"arfleet sandbox accounts {demo['meta']['seed']}")
    erp = demo["erp"]
    company = erp["company"]
    secrets: dict[str, dict] = {}
    for user in erp["users"]:
        secrets[f"erp_{user['username']}"] = {"username": user["username"], "password": user["password"]}

    seeds = {"erp": demo["erp"]}
    for portal, with_totp in (("portal_a", True), ("portal_b", False)):
        orders = demo[portal]["purchase_orders"]
        users = _portal_users(rng, orders, with_totp)
        seeds[portal] = {"users": users, "purchase_orders": orders}
        for user in users:
            secrets[f"{portal}_{user['supplier_id']}"] = dict(user)

    client = {"client_id": f"mid-demo-{_password(rng, 8).lower()}", "client_secret": _password(rng, 32)}
    technical = {"login": "TECH_MIDDEMO@cpro.fr", "password": _password(rng), "supplier_siret": company["siret"]}
    portal_user = {"login": "c.martin@mid-demo.example", "password": _password(rng), "supplier_siret": company["siret"]}
    seeds["chorus_pro"] = {"oauth_clients": [client], "technical_accounts": [technical], "portal_users": [portal_user],
                           "suppliers": [{"siret": company["siret"], "name": company["name"]}],
                           "structures": demo["chorus_pro"]["structures"]}
    secrets["chorus_pro_api"] = {**client, "technical_login": technical["login"],
                                 "technical_password": technical["password"]}
    secrets["chorus_pro_portal"] = {"login": portal_user["login"], "password": portal_user["password"]}

    ar_mailbox = company["email"]
    mailboxes = {ar_mailbox: _password(rng)}
    for customer in erp["customers"]:
        for address in (customer["dunning_contact"]["email"], customer["billing_email"]):
            if address and address.lower() not in mailboxes:
                mailboxes[address.lower()] = _password(rng)
    secrets["mail_ar"] = {"address": ar_mailbox, "password": mailboxes[ar_mailbox]}
    secrets["mail_customers"] = {a: p for a, p in mailboxes.items() if a != ar_mailbox}
    return DemoAccounts(seeds, mailboxes, ar_mailbox, secrets)
