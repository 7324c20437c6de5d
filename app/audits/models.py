"""Audits of agencies and employers, and the corrective actions their non-conformities call for.

Findings are the scoring capability's `AuditFinding` rows; an audit's findings carry its id.
"""
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation
from app.db import Audited, Base, utcnow
from app.registry.models import Entity
from app.scoring.models import AuditFinding

KINDS = ("announced", "unannounced")
# An audit moves forward only: planned -> fieldwork -> reported -> closed.
STATES = ("planned", "fieldwork", "reported", "closed")
NEXT_STATE = {"planned": "fieldwork", "fieldwork": "reported", "reported": "closed"}
# Until the report is out an audit's findings are a draft: they join the evidence (and the score) when reported.
REPORTED = ("reported", "closed")
ACTION_STATES = ("open", "completed", "verified")


class Audit(Base):
    """One audit of an entity by an organisation (a certification body, or a brand's own auditors)."""

    __tablename__ = "audits"
    __audited__ = Audited(
        ("entity_id", "organisation_id", "reference", "kind", "lead_auditor", "scope", "document_review",
         "management_interviews", "worker_interviews", "planned_on", "fieldwork_started_on", "fieldwork_ended_on",
         "reported_on", "closed_on", "state", "summary", "created_by_user_id"), private_to="organisation_id")
    __table_args__ = (UniqueConstraint("organisation_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    # The organisation that performed it: the audit is private to it, the platform and the entity's regulators.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # The performer's own reference (its report number), unique per performer: imports are matched by it.
    reference: Mapped[str | None] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))
    lead_auditor: Mapped[str | None] = mapped_column(String(200))
    # The principles (A-G) the audit covers, as one string of codes: "ACDG".
    scope: Mapped[str] = mapped_column(String(7))
    document_review: Mapped[bool] = mapped_column(default=False)
    management_interviews: Mapped[int] = mapped_column(default=0)
    worker_interviews: Mapped[int] = mapped_column(default=0)
    planned_on: Mapped[date]
    fieldwork_started_on: Mapped[date | None]
    fieldwork_ended_on: Mapped[date | None]
    reported_on: Mapped[date | None]
    closed_on: Mapped[date | None]
    state: Mapped[str] = mapped_column(String(20), default="planned")
    summary: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    entity: Mapped[Entity] = relationship()
    organisation: Mapped[Organisation] = relationship()

    __mapper_args__ = {"version_id_col": version}


class CorrectiveAction(Base):
    """What must be done about one finding, by whom and by when; done once the auditor verifies the evidence."""

    __tablename__ = "corrective_actions"
    __audited__ = Audited(
        ("finding_id", "description", "owner", "owner_entity_id", "deadline", "state", "completion_evidence",
         "completed_on", "completed_by_user_id", "verified_on", "verified_by_user_id", "verification_note",
         "rejected_on", "rejection_note", "created_by_user_id"))
    # The overdue sweep and the scoring fact look for open actions by deadline.
    __table_args__ = (Index("ix_corrective_actions_state_deadline", "state", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("audit_findings.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    # Who must act: a name (a person, a department, a sub-agent), or a registered entity, or both.
    owner: Mapped[str | None] = mapped_column(String(200))
    owner_entity_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"))
    deadline: Mapped[date]
    state: Mapped[str] = mapped_column(String(20), default="open")
    completion_evidence: Mapped[str | None] = mapped_column(Text)
    completed_on: Mapped[date | None]
    completed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_on: Mapped[date | None]
    verified_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verification_note: Mapped[str | None] = mapped_column(Text)
    # The last rejection of completion evidence (the action went back to open); the audit log keeps every one.
    rejected_on: Mapped[date | None]
    rejection_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    owner_entity: Mapped[Entity | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def overdue_on(self, today):
        """Open past its deadline on `today` (a completed action waits for verification, and is not overdue)."""
        return self.state == "open" and self.deadline < today


# A finding's corrective actions, oldest first (read-only from the finding: actions are changed one by one).
AuditFinding.corrective_actions = relationship(CorrectiveAction, viewonly=True, order_by=CorrectiveAction.id)
