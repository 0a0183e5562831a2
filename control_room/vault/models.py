"""The vault's tables: secrets, their encrypted versions and process scopes, and key material wrapped by the
master key."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from control_room.storage.base import AwareDateTime, Base, BigId, utcnow


class Secret(Base):
    __tablename__ = "secrets"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    versions: Mapped[list[SecretVersion]] = relationship(
        back_populates="secret", order_by="SecretVersion.version", cascade="all, delete-orphan"
    )
    scopes: Mapped[list[SecretScope]] = relationship(cascade="all, delete-orphan")


class SecretVersion(Base):
    __tablename__ = "secret_versions"
    __table_args__ = (UniqueConstraint("secret_id", "version"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    secret_id: Mapped[int] = mapped_column(ForeignKey("secrets.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=utcnow)
    secret: Mapped[Secret] = relationship(back_populates="versions")


class SecretScope(Base):
    __tablename__ = "secret_scopes"
    secret_id: Mapped[int] = mapped_column(ForeignKey("secrets.id", ondelete="CASCADE"), primary_key=True)
    process_name: Mapped[str] = mapped_column(String(120), primary_key=True)


class KeyMaterial(Base):
    """Keys the control room keeps in the database, wrapped by the master key (e.g. the vault's RSA
    transit key, shared by every control-room process)."""

    __tablename__ = "key_material"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
