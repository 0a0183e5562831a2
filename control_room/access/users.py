"""People and their API tokens. Passwords are hashed with argon2id; tokens are stored as SHA-256."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from control_room import audit
from control_room.access import tokens
from control_room.access.models import ApiToken, Role, User
from control_room.audit.actors import Actor

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10


class UserError(ValueError):
    pass


def create_user(session: Session, username: str, password: str, role: Role, actor: Actor) -> User:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserError(f"user {username!r} already exists")
    user = User(username=username, password_hash=_hasher.hash(password), role=role)
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.created", "user", username, {"role": role.value})
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        _hasher.hash(password)  # same cost whether or not the user exists
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def create_api_token(session: Session, user: User, name: str, actor: Actor) -> str:
    token = tokens.new_token("arf")
    session.add(ApiToken(user_id=user.id, token_hash=tokens.token_hash(token), name=name))
    session.flush()
    audit.record(session, actor, "api_token.created", "user", user.username, {"name": name})
    return token


def user_for_api_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == tokens.token_hash(token),
                                                ApiToken.revoked.is_(False)))
    if row is None or not row.user.active:
        return None
    return row.user
