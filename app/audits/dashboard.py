"""An auditor's dashboard: the audits its organisation performed, each with its findings and its open and overdue
corrective actions, counted for the whole page at once."""
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import contains_eager

from app.audits.models import Audit, CorrectiveAction
from app.registry.models import Entity
from app.scoring.models import AuditFinding


@dataclass
class AuditRow:
    """One audit as the dashboard shows it."""

    audit: Audit
    findings: int = 0
    open_findings: int = 0
    open_actions: int = 0
    overdue_actions: int = 0


def performed(session, organisation_id, today, *, state=None, page=1, per_page=50):
    """A page of the organisation's audits (open ones first, then the nearest plans) and how many there are."""
    query = (select(Audit).join(Entity, Entity.id == Audit.entity_id)
             .where(Audit.organisation_id == organisation_id))
    if state:
        query = query.where(Audit.state == state)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    audits = session.scalars(query.options(contains_eager(Audit.entity))
                             .order_by((Audit.state == "closed"), Audit.planned_on.desc(), Audit.id.desc())
                             .offset((page - 1) * per_page).limit(per_page)).all()
    rows = {audit.id: AuditRow(audit) for audit in audits}
    if rows:
        add_counts(session, rows, today)
    return list(rows.values()), total


def add_counts(session, rows, today):
    """Findings (all, open) and corrective actions (open, overdue) of the page's audits: two queries."""
    for audit_id, found, still_open in session.execute(
            select(AuditFinding.audit_id, func.count(), func.sum(case((AuditFinding.status == "open", 1), else_=0)))
            .where(AuditFinding.audit_id.in_(sorted(rows))).group_by(AuditFinding.audit_id)):
        rows[audit_id].findings, rows[audit_id].open_findings = found, int(still_open or 0)
    is_open = CorrectiveAction.state == "open"
    for audit_id, still_open, late in session.execute(
            select(AuditFinding.audit_id, func.sum(case((is_open, 1), else_=0)),
                   func.sum(case((is_open & (CorrectiveAction.deadline < today), 1), else_=0)))
            .select_from(CorrectiveAction).join(AuditFinding, AuditFinding.id == CorrectiveAction.finding_id)
            .where(AuditFinding.audit_id.in_(sorted(rows))).group_by(AuditFinding.audit_id)):
        rows[audit_id].open_actions, rows[audit_id].overdue_actions = int(still_open or 0), int(late or 0)
