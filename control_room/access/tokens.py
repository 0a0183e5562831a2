"""Bearer tokens (runs, runners, registration, API): random, shown once, stored only as a SHA-256.
Tokens carry 256 bits of entropy, so a fast hash is enough; passwords use argon2 (see users.py)."""
from __future__ import annotations

import hashlib
import secrets


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def bearer_token(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer …` header; None when the header is not of that form."""
    if not authorization.startswith("Bearer "):
        return None
    return authorization.removeprefix("Bearer ").strip()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
