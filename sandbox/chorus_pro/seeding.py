"""Load seed data (``POST /_admin/seed`` or ``--seed FILE``). Loading is an upsert by natural key
(client_id, login, SIRET, service code), so a seed can be applied again.

Format::

    {"oauth_clients": [{"client_id", "client_secret"}],
     "technical_accounts": [{"login", "password", "supplier_siret"}],
     "portal_users": [{"login", "password", "supplier_siret"}],
     "suppliers": [{"siret", "name"}],
     "structures": [{"siret", "name", "service_code_required": bool, "commitment_required": bool,
                     "services": [{"code", "name", "active": bool (optional, default true)}],
                     "lifecycle": "paid" | "suspended" | "rejected" (optional, default "paid")}]}
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from sandbox.chorus_pro.models import OAuthClient, PortalUser, Service, Structure, TechnicalAccount
from sandbox.chorus_pro.timeline import LIFECYCLES

SEED_KEYS = ("oauth_clients", "technical_accounts", "portal_users", "suppliers", "structures")


def load_seed(session: Session, data: dict[str, Any]) -> dict[str, int]:
    """Apply a seed; returns how many entries of each kind were given. Raises ValueError on bad data."""
    unknown = set(data) - set(SEED_KEYS)
    if unknown:
        raise ValueError(f"unknown seed keys: {', '.join(sorted(unknown))}")
    try:
        for entry in data.get("oauth_clients", []):
            client = _get_or_new(session, OAuthClient, client_id=entry["client_id"])
            client.client_secret = entry["client_secret"]
        for entry in data.get("technical_accounts", []):
            account = _get_or_new(session, TechnicalAccount, login=entry["login"])
            account.password = entry["password"]
            account.supplier_siret = _siret(entry["supplier_siret"])
        for entry in data.get("portal_users", []):
            user = _get_or_new(session, PortalUser, login=entry["login"])
            user.password_hash = generate_password_hash(entry["password"])
            user.supplier_siret = _siret(entry["supplier_siret"])
        for entry in data.get("suppliers", []):
            supplier = _get_or_new(session, Structure, siret=_siret(entry["siret"]))
            supplier.name, supplier.is_public = entry["name"], False
        for entry in data.get("structures", []):
            _load_structure(session, entry)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed seed entry: missing or wrong field {exc}") from exc
    session.flush()
    return {key: len(data.get(key, [])) for key in SEED_KEYS}


def _load_structure(session: Session, entry: dict[str, Any]) -> None:
    lifecycle = entry.get("lifecycle", "paid")
    if lifecycle not in LIFECYCLES:
        raise ValueError(f"lifecycle must be one of {', '.join(LIFECYCLES)}, not {lifecycle!r}")
    structure = _get_or_new(session, Structure, siret=_siret(entry["siret"]))
    structure.name = entry["name"]
    structure.is_public = True
    structure.service_code_required = bool(entry.get("service_code_required", False))
    structure.commitment_required = bool(entry.get("commitment_required", False))
    structure.lifecycle = lifecycle
    session.flush()
    for item in entry.get("services", []):
        service = session.scalar(select(Service).where(Service.structure_id == structure.id,
                                                       Service.code == item["code"]))
        if service is None:
            service = Service(structure_id=structure.id, code=item["code"])
            session.add(service)
        service.name = item["name"]
        service.active = bool(item.get("active", True))


def _siret(value: Any) -> str:
    return str(value).replace(" ", "")


def _get_or_new(session: Session, model: type, **key: Any) -> Any:
    found = session.scalar(select(model).filter_by(**key))
    if found is None:
        found = model(**key)
        session.add(found)
    return found
