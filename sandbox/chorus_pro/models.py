"""What Chorus Pro knows: PISTE applications and their tokens, technical accounts, portal users,
structures (public buyers and private suppliers) with their services, deposited flows and the
invoices integrated from them.

Statuses are not stored: a flow's state and an invoice's lifecycle are computed from the deposit
time and the (controllable) clock, see ``timeline.py``.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from sandbox.app_db import UtcDateTime


class Base(DeclarativeBase):
    pass


class OAuthClient(Base):
    """A PISTE application (OAuth2 client credentials)."""

    __tablename__ = "oauth_client"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(200), unique=True)
    client_secret: Mapped[str] = mapped_column(String(200))


class AccessToken(Base):
    __tablename__ = "access_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(100), unique=True)
    client_id: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TechnicalAccount(Base):
    """A Chorus Pro technical account, sent base64 in the ``cpro-account`` header."""

    __tablename__ = "technical_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(200), unique=True)
    password: Mapped[str] = mapped_column(String(200))
    supplier_siret: Mapped[str] = mapped_column(String(14))


class PortalUser(Base):
    """A person who logs into the portal; the password is stored hashed."""

    __tablename__ = "portal_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    supplier_siret: Mapped[str] = mapped_column(String(14))


class Structure(Base):
    """A legal entity in Chorus Pro's directory: a public buyer or a private supplier."""

    __tablename__ = "structure"
    id: Mapped[int] = mapped_column(primary_key=True)  # idStructureCPP
    siret: Mapped[str] = mapped_column(String(14), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    is_public: Mapped[bool] = mapped_column(Boolean)
    service_code_required: Mapped[bool] = mapped_column(Boolean, default=False)
    commitment_required: Mapped[bool] = mapped_column(Boolean, default=False)
    lifecycle: Mapped[str] = mapped_column(String(20), default="paid")  # see timeline.LIFECYCLES
    services: Mapped[list[Service]] = relationship(back_populates="structure", order_by="Service.id")


class Service(Base):
    """A buyer's service (the "code service" a supplier puts in BT-10)."""

    __tablename__ = "service"
    __table_args__ = (UniqueConstraint("structure_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)  # idService
    structure_id: Mapped[int] = mapped_column(ForeignKey("structure.id"))
    code: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    structure: Mapped[Structure] = relationship(back_populates="services")


class Flow(Base):
    """A deposit (API ``deposer/flux`` or portal upload), decided when it is received and revealed
    when its integration time comes."""

    __tablename__ = "flow"
    id: Mapped[int] = mapped_column(primary_key=True)
    numero: Mapped[str] = mapped_column(String(40), unique=True, default="")
    supplier_siret: Mapped[str] = mapped_column(String(14))
    deposited_by: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(20))  # API or PORTAIL
    file_name: Mapped[str] = mapped_column(String(300))
    syntax: Mapped[str] = mapped_column(String(60))
    with_signature: Mapped[bool] = mapped_column(Boolean, default=False)
    deposited_at: Mapped[datetime] = mapped_column(UtcDateTime())
    outcome: Mapped[str] = mapped_column(String(40))  # IN_INTEGRE, IN_INTEGRE_PARTIEL or IN_REJETE
    errors_dp: Mapped[list] = mapped_column(JSON, default=list)
    errors_technical: Mapped[list] = mapped_column(JSON, default=list)
    invoices: Mapped[list[Invoice]] = relationship(back_populates="flow", order_by="Invoice.id")


class Invoice(Base):
    """A payment request integrated from a flow."""

    __tablename__ = "invoice"
    id: Mapped[int] = mapped_column(primary_key=True)  # identifiantFactureCPP / idFacture
    flow_id: Mapped[int] = mapped_column(ForeignKey("flow.id"))
    supplier_siret: Mapped[str] = mapped_column(String(14))
    supplier_name: Mapped[str] = mapped_column(String(300))
    number: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # FACTURE or AVOIR
    invoice_date: Mapped[date | None] = mapped_column(Date)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("structure.id"))
    service_code: Mapped[str | None] = mapped_column(String(100))
    commitment: Mapped[str | None] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(String(3))
    total_ht: Mapped[Decimal | None] = mapped_column(Numeric(15, 2))
    total_ttc: Mapped[Decimal | None] = mapped_column(Numeric(15, 2))
    amount_due: Mapped[Decimal | None] = mapped_column(Numeric(15, 2))
    lifecycle: Mapped[str] = mapped_column(String(20))
    flow: Mapped[Flow] = relationship(back_populates="invoices")
    buyer: Mapped[Structure] = relationship()


class ClockOffset(Base):
    """How far ``POST /_admin/advance`` has moved the app's clock; kept across restarts."""

    __tablename__ = "clock_offset"
    id: Mapped[int] = mapped_column(primary_key=True)
    seconds: Mapped[float] = mapped_column(default=0.0)
