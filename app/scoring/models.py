"""Evidence about entities (fee lines, practice assessments, audit findings), rule-set activations and scores."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Audited, Base, utcnow
from app.registry.models import Entity


class Recorded:
    """Where a piece of evidence came from, when, and who recorded it."""

    source: Mapped[str] = mapped_column(String(30))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))


class FeeLine(Recorded, Base):
    """A fee or cost in a worker's recruitment: what, how much, who paid, when, and whether it was repaid."""

    __tablename__ = "fee_lines"
    __audited__ = Audited(
        ("entity_id", "category", "amount", "currency", "paid_by", "stage", "repaid", "observed_on", "note", "source",
         "recorded_by_user_id", "recorded_by_organisation_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    paid_by: Mapped[str] = mapped_column(String(20))
    stage: Mapped[str] = mapped_column(String(30))
    repaid: Mapped[bool] = mapped_column(default=False)
    observed_on: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(Text)


class PracticeAssessment(Recorded, Base):
    """What a self-assessment questionnaire or an audit found about an entity's practices; blank is unknown."""

    __tablename__ = "practice_assessments"
    __audited__ = Audited(
        ("entity_id", "assessed_on", "fee_survey_done", "written_contract", "contract_in_worker_language",
         "contract_days_before_departure", "contract_substitution_found", "documents_retained", "grievance_mechanism",
         "grievance_channels", "data_protection_policy", "minimum_age_checked", "uses_subagents",
         "subagents_unlicensed", "deposits_demanded", "source", "recorded_by_user_id", "recorded_by_organisation_id"))
    __table_args__ = (Index("ix_practice_assessments_entity_date", "entity_id", "assessed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    assessed_on: Mapped[date]
    # Workers were asked what they paid (or receipts checked): no fee lines then means no fees found.
    fee_survey_done: Mapped[bool | None]
    written_contract: Mapped[bool | None]
    contract_in_worker_language: Mapped[bool | None]
    contract_days_before_departure: Mapped[int | None]
    contract_substitution_found: Mapped[bool | None]
    documents_retained: Mapped[bool | None]
    grievance_mechanism: Mapped[bool | None]
    grievance_channels: Mapped[int | None]
    data_protection_policy: Mapped[bool | None]
    minimum_age_checked: Mapped[bool | None]
    uses_subagents: Mapped[bool | None]
    subagents_unlicensed: Mapped[int | None]
    deposits_demanded: Mapped[bool | None]


PRACTICES = ("written_contract", "contract_in_worker_language", "contract_days_before_departure",
             "contract_substitution_found", "documents_retained", "grievance_mechanism", "grievance_channels",
             "data_protection_policy", "minimum_age_checked", "uses_subagents", "subagents_unlicensed",
             "deposits_demanded")


class AuditFinding(Recorded, Base):
    """A non-conformity an audit found against a principle; closed when corrective action is verified."""

    __tablename__ = "audit_findings"
    __audited__ = Audited(
        ("entity_id", "principle", "grade", "status", "description", "found_on", "closed_on", "source",
         "recorded_by_user_id", "recorded_by_organisation_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    # The audit that found it (app/audits); findings recorded on their own have none.
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audits.id"), index=True)
    principle: Mapped[str] = mapped_column(String(1))
    grade: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="open")
    description: Mapped[str] = mapped_column(Text)
    found_on: Mapped[date]
    closed_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)

    # `corrective_actions`, what must be done about it, is added by app/audits/models.py.

    __mapper_args__ = {"version_id_col": version}


class RuleSetActivation(Base):
    """Which rule set scores which kind of entity from when on; the latest row per kind is active."""

    __tablename__ = "rule_set_activations"
    __audited__ = Audited(("kind", "ruleset_id", "directory", "content_hash", "files", "activated_by_user_id"))
    __append_only__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    ruleset_id: Mapped[str] = mapped_column(String(60))
    directory: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    # The files as they were: a score can always be traced to the exact rules that produced it.
    files: Mapped[dict] = mapped_column(JSON)
    activated_at: Mapped[datetime] = mapped_column(default=utcnow)
    activated_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Score(Base):
    """One scoring of one entity; rows are only ever added, so the history is the table."""

    __tablename__ = "scores"
    __append_only__ = True
    __table_args__ = (Index("ix_scores_entity_scored", "entity_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    ruleset_id: Mapped[str] = mapped_column(String(60))
    ruleset_hash: Mapped[str] = mapped_column(String(64))
    total: Mapped[float | None]
    tier: Mapped[str] = mapped_column(String(30))
    coverage: Mapped[float]
    outcomes: Mapped[list] = mapped_column(JSON)
    facts: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(60))
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)
    entity: Mapped[Entity] = relationship(viewonly=True)
