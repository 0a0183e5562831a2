"""One-time runner registration tokens: made here for both the native API and the web UI, so the two
issue them the same way (random, shown once, stored as a hash, expiring, audited)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from control_room import audit, clock
from control_room.access import tokens
from control_room.audit.actors import Actor
from control_room.fleet.models import RegistrationToken

MAX_HOURS = 24 * 30


@dataclass(frozen=True)
class IssuedToken:
    token: str  # the clear token: shown to the person once, never stored
    row: RegistrationToken


def issue(session: Session, actor: Actor, created_by: str, hours: int = 24) -> IssuedToken:
    """Create a token valid for `hours`, audited in the caller's transaction (the caller commits)."""
    if not 1 <= hours <= MAX_HOURS:
        raise ValueError(f"a registration token lives between 1 and {MAX_HOURS} hours")
    token = tokens.new_token("reg")
    row = RegistrationToken(token_hash=tokens.token_hash(token), created_by=created_by,
                            expires_at=clock.now(session) + timedelta(hours=hours))
    session.add(row)
    session.flush()
    audit.record(session, actor, "registration_token.created", "registration_token", row.id,
                 {"expires_at": row.expires_at.isoformat()})
    return IssuedToken(token, row)
