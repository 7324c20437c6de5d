"""Organisations, users, API tokens and the audit log."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.permissions import KINDS as ORGANISATION_KINDS, ROLES  # noqa: F401  (one list of each)
from app.db import Audited, Base, utcnow


class Organisation(Base):
    __tablename__ = "organisations"
    __audited__ = Audited(("name", "kind", "country"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list["User"]] = relationship(back_populates="organisation")
    authorities: Mapped[list["Authority"]] = relationship(secondary="organisation_authorities")


class OrganisationAuthority(Base):
    """Which authorities' licences a government organisation manages."""

    __tablename__ = "organisation_authorities"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id", ondelete="CASCADE"), primary_key=True)


class User(Base):
    __tablename__ = "users"
    __audited__ = Audited(
        ("organisation_id", "email", "name", "role", "active", "session_epoch"), redacted=("password_hash",),
         private_to="organisation_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Signed cookies carry the epoch they were issued in; raising it ends every earlier session.
    session_epoch: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship(back_populates="users")

    __mapper_args__ = {"version_id_col": version}


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_tokens"
    __audited__ = Audited(
        ("user_id", "organisation_id", "name", "prefix", "expires_at", "revoked_at", "read_only"),
         redacted=("token_hash",), private_to="organisation_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Tokens act for one organisation only: the user's at the time the token was made.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # A read-only token may only read (GET, HEAD, OPTIONS).
    read_only: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()


class AuditEvent(Base):
    """One change: who, when, what, before and after. Rows are only ever added."""

    __tablename__ = "audit_events"
    __append_only__ = True
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(index=True)
    actor_organisation_id: Mapped[int | None]
    # The organisation the change concerns when it touches private data; None for the shared registry.
    organisation_id: Mapped[int | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(60))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)


