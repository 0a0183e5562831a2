"""Secrets at rest: JSON objects sealed with AES-GCM under the master key, one row per version.

A secret is readable only by the processes in its scope; each read is audited with the run that
read it. Rotation adds a version and keeps the previous ones until pruned. Values never appear in
reprs, errors or audit details.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from control_room import audit
from control_room.audit.actors import Actor
from control_room.vault.models import KeyMaterial, Secret, SecretScope, SecretVersion
from credentials import master_key, transit

CHECK_ROW = "master-key-check"
TRANSIT_ROW = "vault-transit-rsa"


class SecretNotFound(LookupError):
    pass


class SecretOutOfScope(PermissionError):
    pass


class SecretValues(Mapping[str, Any]):
    """A secret's values; its repr and str show the keys, never the values."""

    def __init__(self, name: str, values: dict[str, Any]) -> None:
        self.name, self._values = name, dict(values)

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"SecretValues(name={self.name!r}, keys={sorted(self._values)})"

    __str__ = __repr__

    def reveal(self) -> dict[str, Any]:
        return dict(self._values)


def _context(name: str, version: int) -> bytes:
    return f"secret:{name}:v{version}".encode()


class Vault:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def __repr__(self) -> str:
        return "Vault(<master key hidden>)"

    # --- key checks and key material -------------------------------------------------------------
    def check_master_key(self, session: Session) -> None:
        """First start: store a check value. Later starts: refuse a key that cannot open it."""
        row = session.get(KeyMaterial, CHECK_ROW)
        if row is None:
            nonce, ciphertext = master_key.seal(self._key, master_key.CHECK_PLAINTEXT, CHECK_ROW.encode())
            session.add(KeyMaterial(name=CHECK_ROW, nonce=nonce, ciphertext=ciphertext))
            session.flush()
            return
        try:
            master_key.unseal(self._key, row.nonce, row.ciphertext, CHECK_ROW.encode())
        except master_key.MasterKeyError:
            raise master_key.MasterKeyError(
                "the master key does not match this database: set ARFLEET_MASTER_KEY (or the key file) "
                "to the key this database was created with"
            ) from None

    def transit_key(self, session: Session) -> rsa.RSAPrivateKey:
        """The RSA key bots wrap written secrets with; shared by every control-room process."""
        row = session.get(KeyMaterial, TRANSIT_ROW)
        if row is None:
            key = transit.new_transit_key()
            nonce, ciphertext = master_key.seal(self._key, transit.private_key_der(key), TRANSIT_ROW.encode())
            try:
                with session.begin_nested():
                    session.add(KeyMaterial(name=TRANSIT_ROW, nonce=nonce, ciphertext=ciphertext))
                return key
            except IntegrityError:
                row = session.get(KeyMaterial, TRANSIT_ROW)
                assert row is not None
        return transit.load_private_key_der(master_key.unseal(self._key, row.nonce, row.ciphertext,
                                                              TRANSIT_ROW.encode()))

    # --- secrets ------------------------------------------------------------------------------------
    def _secret(self, session: Session, name: str) -> Secret:
        secret = session.scalar(select(Secret).where(Secret.name == name))
        if secret is None:
            raise SecretNotFound(f"no secret named {name!r}")
        return secret

    def scope_of(self, session: Session, name: str) -> set[str]:
        return {s.process_name for s in self._secret(session, name).scopes}

    def set(self, session: Session, name: str, values: dict[str, Any], actor: Actor,
            processes: list[str] | None = None, description: str | None = None) -> int:
        """Create the secret or rotate it (a new version). `processes` replaces the scope when given."""
        if not isinstance(values, dict):
            raise ValueError("a secret's value must be a JSON object")
        secret = session.scalar(select(Secret).where(Secret.name == name))
        created = secret is None
        if secret is None:
            secret = Secret(name=name, description=description or "")
            session.add(secret)
            session.flush()
        elif description is not None:
            secret.description = description
        version = (secret.versions[-1].version + 1) if secret.versions else 1
        nonce, ciphertext = master_key.seal(self._key, json.dumps(values).encode(), _context(name, version))
        secret.versions.append(SecretVersion(version=version, nonce=nonce, ciphertext=ciphertext))
        if processes is not None:
            secret.scopes = [SecretScope(process_name=p) for p in sorted(set(processes))]
        session.flush()
        audit.record(session, actor, "secret.created" if created else "secret.rotated", "secret", name,
                     {"version": version, "keys": sorted(values), "scope": [s.process_name for s in secret.scopes]})
        return version

    def read(self, session: Session, name: str, process_name: str, reader: Actor,
             run_id: int | None = None) -> SecretValues:
        """The latest version, for a run of `process_name`; audited."""
        secret = self._secret(session, name)
        if process_name not in self.scope_of(session, name):
            audit.record(session, reader, "secret.read_refused", "secret", name,
                         {"process": process_name, "run_id": run_id})
            raise SecretOutOfScope(f"process {process_name!r} may not read secret {name!r}")
        latest = secret.versions[-1]
        plaintext = master_key.unseal(self._key, latest.nonce, latest.ciphertext, _context(name, latest.version))
        audit.record(session, reader, "secret.read", "secret", name,
                     {"process": process_name, "run_id": run_id, "version": latest.version})
        return SecretValues(name, json.loads(plaintext))

    def prune(self, session: Session, name: str, actor: Actor, keep: int = 1) -> int:
        """Remove all but the `keep` latest versions (after a rotation has been confirmed)."""
        secret = self._secret(session, name)
        old = secret.versions[:-keep] if keep else list(secret.versions)
        for version in old:
            secret.versions.remove(version)
        session.flush()
        audit.record(session, actor, "secret.pruned", "secret", name, {"removed_versions": [v.version for v in old]})
        return len(old)

    def delete(self, session: Session, name: str, actor: Actor) -> None:
        secret = self._secret(session, name)
        session.delete(secret)
        session.flush()
        audit.record(session, actor, "secret.deleted", "secret", name, {})
