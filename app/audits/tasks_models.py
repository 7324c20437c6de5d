"""Review tasks: what an organisation has to review about an entity, by when, and why."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.db import Audited, Base, utcnow
from app.registry.models import Entity

# One live task per entity, reason and owning organisation: the sweep updates it rather than adding another.
LIVE = text("state IN ('open', 'claimed', 'snoozed')")


class ReviewTask(Base):
    """A review the policy asked of an organisation (app/audits/policy.py), and what its people did with it.

    Private to the owning organisation (platform staff read every one). States: open, claimed (by a user),
    snoozed (with a reason, until a day), done, cancelled.
    """

    __tablename__ = "review_tasks"
    __audited__ = Audited(
        ("entity_id", "reason", "organisation_id", "trigger_key", "due_on", "state", "claimed_by_user_id",
         "snoozed_until", "snooze_reason", "closed_by_user_id", "close_note", "closed_by_sweep"),
        private_to="organisation_id")
    __table_args__ = (
        Index("uq_review_tasks_live", "entity_id", "reason", "organisation_id", unique=True,
              sqlite_where=LIVE, postgresql_where=LIVE),
        Index("ix_review_tasks_organisation_state_due", "organisation_id", "state", "due_on"),
        Index("ix_review_tasks_entity", "entity_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    reason: Mapped[str] = mapped_column(String(40))
    # The owning organisation; named like the private layer's column so the audit log keeps it private to it.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    # Which occurrence of the reason (a licence and its end date, a hit, a finding...): a task closed by
    # people does not come back for the same occurrence.
    trigger_key: Mapped[str] = mapped_column(String(120))
    due_on: Mapped[date]
    # The due date the sweep last announced (a task_due event): set once it falls due, so it is told once, and
    # again only for a new due date.
    due_notified_on: Mapped[date | None]
    state: Mapped[str] = mapped_column(String(20), default="open")
    # {"message": reason, "params": {...}}: rendered by app.audits.policy.describe.
    explanation: Mapped[dict] = mapped_column(JSON)
    claimed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None]
    snoozed_until: Mapped[date | None]
    snooze_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]
    closed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    close_note: Mapped[str | None] = mapped_column(Text)
    # Cancelled by the sweep because its cause went away (such a cancellation does not stop it coming back).
    closed_by_sweep: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    entity: Mapped[Entity] = relationship()

    __mapper_args__ = {"version_id_col": version}


class EntityReview(Base):
    """When an entity is next reviewed: the earliest of its live review tasks' dates and its periodic review.

    Kept by the sweep (app/audits/sweep.py), never by hand, beside the entity rather than in its row: setting
    it is no change of the shared record (no new version), and the first sweep sets 100,000 of them at once,
    which on PostgreSQL costs seconds in the wide, many-indexed entities table and little in this narrow one.
    The entity's record shows it as `next_review_on` (Entity.review).
    """

    __tablename__ = "entity_reviews"

    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), primary_key=True)
    next_review_on: Mapped[date | None]

    entity: Mapped[Entity] = relationship(backref=backref("review", uselist=False))
