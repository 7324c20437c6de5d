"""Watchlist sources, their imported versions, the entries they list and what each version changed."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Audited, Base, utcnow

SOURCE_KINDS = ("sanctions", "debarment", "banned_agency", "internal")
CHANGE_KINDS = ("added", "changed", "removed")
VERSION_STATUSES = ("current", "superseded")


class WatchlistSource(Base):
    """A list an analyst keeps up to date (OFAC SDN, UN consolidated, a regulator's banned agencies...)."""

    __tablename__ = "watchlist_sources"
    __audited__ = Audited(("name", "title", "publisher", "kind", "format", "current_version_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    publisher: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Sources and versions point at each other: the constraint is added after both tables exist.
    current_version_id: Mapped[int | None] = mapped_column(ForeignKey("watchlist_versions.id", use_alter=True))

    current_version: Mapped["WatchlistVersion | None"] = relationship(foreign_keys=[current_version_id],
                                                                       post_update=True)


class WatchlistVersion(Base):
    """One import of a source's files: what was read, by whom, and how it differed from the version before."""

    __tablename__ = "watchlist_versions"
    __audited__ = Audited(
        ("source_id", "number", "format", "files", "sha256", "entry_count", "added", "changed", "removed",
         "imported_by", "status"))
    __table_args__ = (UniqueConstraint("source_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("watchlist_sources.id"))
    number: Mapped[int]
    format: Mapped[str] = mapped_column(String(30))
    files: Mapped[list] = mapped_column(JSON)
    # SHA-256 of the files' bytes one after the other, in the order given: `cat FILES | sha256sum`.
    sha256: Mapped[str] = mapped_column(String(64))
    entry_count: Mapped[int]
    added: Mapped[int]
    changed: Mapped[int]
    removed: Mapped[int]
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), default="current")

    source: Mapped[WatchlistSource] = relationship(foreign_keys=[source_id])


class WatchlistEntry(Base):
    """A listed person, organisation, vessel...: its latest content, and the versions that added, last changed
    and removed it. Removed entries stop matching but stay, so old hits still say what they matched."""

    __tablename__ = "watchlist_entries"
    __table_args__ = (UniqueConstraint("source_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("watchlist_sources.id"))
    entry_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(Text)
    aliases: Mapped[list] = mapped_column(JSON)
    weak_aliases: Mapped[list] = mapped_column(JSON)
    countries: Mapped[list] = mapped_column(JSON)
    identifiers: Mapped[list] = mapped_column(JSON)
    listed_on: Mapped[date | None]
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    # Bumped whenever the content changes: a hit dismissed at one revision is reviewed again at the next.
    revision: Mapped[int] = mapped_column(default=1)
    first_version_id: Mapped[int] = mapped_column(ForeignKey("watchlist_versions.id"))
    last_changed_version_id: Mapped[int] = mapped_column(ForeignKey("watchlist_versions.id"))
    removed_version_id: Mapped[int | None] = mapped_column(ForeignKey("watchlist_versions.id"))

    first_version: Mapped[WatchlistVersion] = relationship(foreign_keys=[first_version_id])
    last_changed_version: Mapped[WatchlistVersion] = relationship(foreign_keys=[last_changed_version_id])
    removed_version: Mapped[WatchlistVersion | None] = relationship(foreign_keys=[removed_version_id])


class WatchlistChange(Base):
    """One entry added, changed or removed by one version: the delta that reverse screening reads."""

    __tablename__ = "watchlist_changes"
    __table_args__ = (Index("ix_watchlist_changes_version_kind", "version_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("watchlist_versions.id"))
    watchlist_entry_id: Mapped[int] = mapped_column(ForeignKey("watchlist_entries.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    # The entry's revision after this change.
    revision: Mapped[int]
    # For `changed`: the content it replaced, since the entry row keeps only the latest.
    previous_hash: Mapped[str | None] = mapped_column(String(64))
    previous: Mapped[dict | None] = mapped_column(JSON)

    entry: Mapped[WatchlistEntry] = relationship()


HIT_STATES = ("open", "confirmed", "dismissed", "escalated")
DISMISS_REASONS = ("different_entity", "different_country", "different_identifier", "other")


class Screening(Base):
    """One screening of an entity and its people: when, at which threshold, against which list versions."""

    __tablename__ = "screenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    screened_at: Mapped[datetime] = mapped_column(default=utcnow)
    threshold: Mapped[float]
    # {source name: version number} of every list screened against.
    list_versions: Mapped[dict] = mapped_column(JSON)
    hits: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200))


class Hit(Base):
    """A possible match of an entity (or one of its people) with a list entry, waiting for or holding a decision.

    One row per (entity, subject, entry): re-screening updates it. A dismissal holds while the entry's revision
    and the subject's screened names stay what they were when it was decided.
    """

    __tablename__ = "hits"
    __audited__ = Audited(
        ("entity_id", "subject", "person_id", "watchlist_entry_id", "source_id", "list_version_id", "entry_revision",
         "score", "query_name", "matched_name", "current", "state", "reason", "note", "decided_by", "decided_at"))
    __table_args__ = (UniqueConstraint("entity_id", "subject", "watchlist_entry_id"),
                      Index("ix_hits_state_source", "state", "source_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    # "entity" for the entity's own names, "person:<id>" for one of its people.
    subject: Mapped[str] = mapped_column(String(40))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    watchlist_entry_id: Mapped[int] = mapped_column(ForeignKey("watchlist_entries.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("watchlist_sources.id"))
    list_version_id: Mapped[int] = mapped_column(ForeignKey("watchlist_versions.id"))
    entry_revision: Mapped[int]
    # A digest of the subject's screened names and identifiers when last matched.
    names_key: Mapped[str] = mapped_column(String(64))
    score: Mapped[float]
    query_name: Mapped[str] = mapped_column(Text)
    matched_name: Mapped[str] = mapped_column(Text)
    explanation: Mapped[dict] = mapped_column(JSON)
    # False once the last screening no longer found it (entry removed, names changed, threshold raised).
    current: Mapped[bool] = mapped_column(default=True)
    state: Mapped[str] = mapped_column(String(20), default="open")
    reason: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    entry: Mapped[WatchlistEntry] = relationship()
    source: Mapped[WatchlistSource] = relationship()
    list_version: Mapped[WatchlistVersion] = relationship()
    entity: Mapped["Entity"] = relationship()  # noqa: F821 (app.registry.models)

    # Two writers of one hit (a reviewer, a re-screening) cannot overwrite each other unseen.
    __mapper_args__ = {"version_id_col": version}


class HitEvent(Base):
    """The history of a hit: found, decided, reopened, each with who (None for the system) and why."""

    __tablename__ = "hit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    hit_id: Mapped[int] = mapped_column(ForeignKey("hits.id"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    entry_revision: Mapped[int]
    names_key: Mapped[str] = mapped_column(String(64))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class WatchlistFetch(Base):
    """What a configured source's file (a URL or a path) was when the scheduler last fetched it: its validators
    for a conditional request and its SHA-256, so a list is imported again only when it changed."""

    __tablename__ = "watchlist_fetches"
    __table_args__ = (UniqueConstraint("source_name", "location"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_name: Mapped[str] = mapped_column(String(60))
    location: Mapped[str] = mapped_column(String(500))
    etag: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    sha256: Mapped[str | None] = mapped_column(String(64))
    checked_at: Mapped[datetime | None]
    changed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(300))
