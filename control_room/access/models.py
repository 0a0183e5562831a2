"""People's tables: users and their roles, personal API tokens, and sign-in attempts (the rate limit counts
them in the database, so it holds across every control-room process)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from control_room.storage.base import AwareDateTime, Base, BigId, enum_column, utcnow


class Role(str, enum.Enum):
    ADMIN = "admin"
    IT = "it"
    OPS = "ops"
    HANDLER = "handler"
    VIEWER = "viewer"


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    locale: Mapped[str | None] = mapped_column(String(8))  # the UI language the person chose


class ApiToken(Base):
    """Personal API tokens for people and scripts using the native API (hashed, never stored in clear)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    """One row per password attempt: the rate limit counts them in the database, so it holds across
    every gunicorn process and every control-room machine."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_ip_at", "ip", "at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(120))
    ip: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
