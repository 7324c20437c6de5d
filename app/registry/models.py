"""Agencies, employers, their names, people, licences, relationships and portfolios."""
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Audited, Base, utcnow


class Authority(Base):
    """A licensing authority: the regulator's office that issues recruitment licences."""

    __tablename__ = "authorities"
    __audited__ = Audited(("code", "name", "country", "website", "phone", "email", "fee_law"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    # How a worker verifies a licence with the authority itself (shown on the public agency page).
    website: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(60))
    email: Mapped[str | None] = mapped_column(String(200))
    # What the law the authority applies says about fees workers may be charged, in plain words (public).
    fee_law: Mapped[str | None] = mapped_column(Text)


class Entity(Base):
    """A recruitment agency or an employer (single table, told apart by kind)."""

    __tablename__ = "entities"
    __audited__ = Audited(
        ("kind", "legal_name", "country", "website", "certification_status", "deleted_at", "withdrawn_by_user_id",
         "withdrawn_reason", "registered_by_organisation_id", "certified_by_organisation_id"))
    # Filters and sorting of lists happen in each process's listing (app/registry/listing.py); the indexes
    # here serve lookups by natural key and the change feed.
    __table_args__ = (Index("ix_entities_kind_name", "kind", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    legal_name: Mapped[str] = mapped_column(String(300))
    # Case- and accent-folded legal name: the natural key on import and the sort key.
    name_key: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2))
    website: Mapped[str | None] = mapped_column(String(300))
    certification_status: Mapped[str | None] = mapped_column(String(20))
    # The last day the current certification holds (set by its certifier); the review policy warns before it.
    certification_valid_until: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # A withdrawn record (deleted_at set) leaves public reads and lists but keeps its history and hits.
    deleted_at: Mapped[datetime | None]
    withdrawn_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    # Stewardship (app/accounts/permissions.py): the organisation that registered it edits its profile, the
    # certification body that certifies it sets its certification status.
    registered_by_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    certified_by_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    version: Mapped[int] = mapped_column(default=1)
    # Set when facts changed but the entity could not be scored again (the rule set failed to load): since when
    # its latest score misses them, and why. Cleared by its next score.
    score_stale_since: Mapped[datetime | None]
    score_problem: Mapped[str | None] = mapped_column(String(300))
    # The registry generation of the entity's last change (see app/registry/changes.py); never set by hand.
    generation: Mapped[int] = mapped_column(BigInteger, default=0, index=True)

    aliases: Mapped[list["Alias"]] = relationship(back_populates="entity", cascade="all, delete-orphan",
                                                  order_by="Alias.id")
    identifiers: Mapped[list["Identifier"]] = relationship(back_populates="entity", cascade="all, delete-orphan",
                                                           order_by="Identifier.id")
    addresses: Mapped[list["Address"]] = relationship(back_populates="entity", cascade="all, delete-orphan",
                                                      order_by="Address.id")
    sectors: Mapped[list["EntitySector"]] = relationship(back_populates="entity", cascade="all, delete-orphan",
                                                         order_by="EntitySector.sector")
    roles: Mapped[list["Role"]] = relationship(back_populates="entity", cascade="all, delete-orphan",
                                               order_by="Role.id")
    licences: Mapped[list["Licence"]] = relationship(back_populates="entity", order_by="Licence.id")

    __mapper_args__ = {"version_id_col": version}


class RegistryState(Base):
    """One row: the registry's generation, raised by every transaction that changes an entity.

    Writers take this row's lock until they commit, so generations are committed in order and a reader
    that has seen generation N can fetch exactly what changed after it.
    """

    __tablename__ = "registry_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger, default=0)


class Alias(Base):
    """Another name: former, trading, transliterated, or other."""

    __tablename__ = "aliases"
    __audited__ = Audited(("entity_id", "name", "kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="other")

    entity: Mapped[Entity] = relationship(back_populates="aliases")


class Identifier(Base):
    """A registration, tax or other identifier, as scheme + value."""

    __tablename__ = "identifiers"
    __audited__ = Audited(("entity_id", "scheme", "value"))
    __table_args__ = (Index("ix_identifiers_scheme_value", "scheme", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(100))

    entity: Mapped[Entity] = relationship(back_populates="identifiers")


class Address(Base):
    __tablename__ = "addresses"
    __audited__ = Audited(("entity_id", "kind", "line", "city", "country"))

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="registered")
    line: Mapped[str] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))

    entity: Mapped[Entity] = relationship(back_populates="addresses")


class EntitySector(Base):
    __tablename__ = "entity_sectors"

    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True)
    sector: Mapped[str] = mapped_column(String(30), primary_key=True)

    entity: Mapped[Entity] = relationship(back_populates="sectors")


class Person(Base):
    """A natural person who owns, directs or represents agencies or employers."""

    __tablename__ = "people"
    __audited__ = Audited(("name", "nationality"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    nationality: Mapped[str | None] = mapped_column(String(2))


class Role(Base):
    """A person's role at an entity (owner, director, ...), with its dates."""

    __tablename__ = "roles"
    __audited__ = Audited(("entity_id", "person_id", "role", "since", "until"))

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    since: Mapped[date | None]
    until: Mapped[date | None]

    entity: Mapped[Entity] = relationship(back_populates="roles")
    person: Mapped[Person] = relationship(lazy="joined")


class Licence(Base):
    """A licence issued by an authority; its status changes are kept in LicenceStatusChange."""

    __tablename__ = "licences"
    __audited__ = Audited(
        ("entity_id", "authority_id", "number", "type", "status", "status_raw", "valid_from", "valid_until",
         "conditions"))
    __table_args__ = (UniqueConstraint("authority_id", "number_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    number: Mapped[str] = mapped_column(String(60))
    # Upper-cased, without spaces and punctuation: how people type a licence number.
    number_key: Mapped[str] = mapped_column(String(60))
    type: Mapped[str] = mapped_column(String(20), default="full")
    status: Mapped[str] = mapped_column(String(30))
    status_raw: Mapped[str | None] = mapped_column(String(200))
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None] = mapped_column(index=True)
    conditions: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    entity: Mapped[Entity] = relationship(back_populates="licences")
    authority: Mapped[Authority] = relationship(lazy="joined")
    destinations: Mapped[list["LicenceDestination"]] = relationship(cascade="all, delete-orphan",
                                                                    order_by="LicenceDestination.country")
    sectors: Mapped[list["LicenceSector"]] = relationship(cascade="all, delete-orphan",
                                                          order_by="LicenceSector.sector")
    history: Mapped[list["LicenceStatusChange"]] = relationship(order_by="LicenceStatusChange.id")

    __mapper_args__ = {"version_id_col": version}


class LicenceDestination(Base):
    __tablename__ = "licence_destinations"

    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id", ondelete="CASCADE"), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)


class LicenceSector(Base):
    __tablename__ = "licence_sectors"

    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id", ondelete="CASCADE"), primary_key=True)
    sector: Mapped[str] = mapped_column(String(30), primary_key=True)


class LicenceStatusChange(Base):
    """One entry of a licence's status history; rows are only ever added."""

    __tablename__ = "licence_status_changes"
    __append_only__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    status: Mapped[str] = mapped_column(String(30))
    status_raw: Mapped[str | None] = mapped_column(String(200))
    effective_on: Mapped[date | None]
    reason: Mapped[str | None] = mapped_column(Text)
    # Reasons are internal notes unless the registrar marks them public (anonymous readers see public ones only).
    reason_public: Mapped[bool] = mapped_column(default=False)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Relationship(Base):
    """Employer uses agency, or agency uses sub-agent, for a corridor and sector, with dates."""

    __tablename__ = "relationships"
    __audited__ = Audited(
        ("kind", "client_id", "provider_id", "origin_country", "destination_country", "sector", "since", "until"))
    __table_args__ = (Index("ix_relationships_corridor", "origin_country", "destination_country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    client_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    origin_country: Mapped[str] = mapped_column(String(2))
    destination_country: Mapped[str] = mapped_column(String(2))
    sector: Mapped[str | None] = mapped_column(String(30))
    since: Mapped[date | None]
    until: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    client: Mapped[Entity] = relationship(foreign_keys=[client_id])
    provider: Mapped[Entity] = relationship(foreign_keys=[provider_id])


class PortfolioEntry(Base):
    """An organisation follows an entity (its supply-chain recruiters); private to that organisation."""

    __tablename__ = "portfolio_entries"
    __audited__ = Audited(("organisation_id", "entity_id", "label", "added_by_user_id"), private_to="organisation_id")
    __table_args__ = (UniqueConstraint("organisation_id", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    label: Mapped[str | None] = mapped_column(String(100))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Note(Base):
    """A private note an organisation keeps about an entity."""

    __tablename__ = "notes"
    __audited__ = Audited(("organisation_id", "entity_id", "author_user_id", "body"), private_to="organisation_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EvidenceDocument(Base):
    """A piece of evidence an organisation holds about an entity (audit report, contract, receipt)."""

    __tablename__ = "evidence_documents"
    __audited__ = Audited(
        ("organisation_id", "entity_id", "recorded_by_user_id", "title", "kind", "source", "dated", "description"),
         private_to="organisation_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    source: Mapped[str | None] = mapped_column(String(300))
    dated: Mapped[date | None]
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChangeRequest(Base):
    """A correction to an entity's profile proposed by someone who does not steward it, accepted or rejected by
    a steward."""

    __tablename__ = "change_requests"
    __audited__ = Audited(
        ("entity_id", "proposed_by_user_id", "proposed_by_organisation_id", "fields", "reason", "entity_version",
         "state", "decided_by_user_id", "decided_at", "decision_reason"))
    __table_args__ = (Index("ix_change_requests_state", "state", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    proposed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_by_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # The proposed fields, as EntityUpdateSchema loads them (list fields replace the whole list).
    fields: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    # The entity's version the proposal was made from.
    entity_version: Mapped[int]
    state: Mapped[str] = mapped_column(String(20), default="open")
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    entity: Mapped[Entity] = relationship()

    __mapper_args__ = {"version_id_col": version}
