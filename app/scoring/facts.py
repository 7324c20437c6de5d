"""Facts of entities assembled from the database: registry, fee lines, latest practices, audit findings and
overdue corrective actions, and whatever other sources register a provider (screening hits, worker-report
aggregates).

A fact with no evidence behind it is left out of the dict, so rules see it as unknown.
"""
from datetime import date

from sqlalchemy import select

from app.audits.models import REPORTED, Audit, CorrectiveAction
from app.bulk import any_of
from app.registry import expiry
from app.registry.models import Entity, Licence, LicenceDestination, Relationship
from app.scoring.models import PRACTICES, AuditFinding, FeeLine, PracticeAssessment

# The licence that speaks for an entity: the best status first, then the latest expiry.
STATUS_RANK = {"valid": 0, "provisional": 1, "preventive_suspension": 2, "expired": 3, "suspended": 4,
               "surrendered": 5, "delisted": 6, "cancelled": 7, "revoked": 8, "banned": 9}
# Audits outrank self-assessments made on the same day.
SOURCE_RANK = {"audit": 1}
# Functions (session, entity ids) -> {entity id: facts} that other capabilities add with `provide`.
PROVIDERS = []


def provide(provider):
    """Add a source of facts; its facts must be in the catalogue (app/scoring/catalogue.py)."""
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    return provider


def licence_facts(licences, today):
    """Facts of the entity's best licence (none when it has no licence)."""
    if not licences:
        return {"licence_count": 0}
    best = min(licences, key=lambda lic: (STATUS_RANK.get(lic.status, 99), -(lic.valid_until or date.max).toordinal()))
    facts = {"licence_status": best.status, "licence_count": len(licences),
             "licence_destination_count": len({d for lic in licences for d in lic.destinations})}
    if best.valid_until:
        facts["licence_days_to_expiry"] = (best.valid_until - today).days
    return facts


def assemble(session, entity_id, today=None):
    """(facts, kind, country, corridors) of one entity."""
    return assemble_many(session, [entity_id], today)[entity_id]


def assemble_many(session, entity_ids, today=None):
    """{entity id: (facts, kind, country, corridors)} for a batch of entities, in a few queries."""
    today = today or expiry.today()
    ids = list(entity_ids)
    entities = {row.id: row for row in session.execute(
        select(Entity.id, Entity.kind, Entity.country, Entity.certification_status)
        .where(any_of(session, Entity.id, ids)))}
    licences, destinations = {}, {}
    for licence_id, country in session.execute(select(LicenceDestination.licence_id, LicenceDestination.country)
                                               .join(Licence).where(any_of(session, Licence.entity_id, ids))):
        destinations.setdefault(licence_id, []).append(country)
    for row in session.execute(select(Licence.id, Licence.entity_id, Licence.status, Licence.valid_until)
                               .where(any_of(session, Licence.entity_id, ids))):
        # Rules see the status as it reads today: past its end date an in-force licence is expired.
        licences.setdefault(row.entity_id, []).append(
            LicenceView(expiry.effective_status(row.status, row.valid_until, today), row.valid_until,
                        destinations.get(row.id, [])))
    links = {}
    for client_id, provider_id, origin, destination in session.execute(
            select(Relationship.client_id, Relationship.provider_id, Relationship.origin_country,
                   Relationship.destination_country)
            .where(any_of(session, Relationship.client_id, ids) | any_of(session, Relationship.provider_id, ids))):
        for entity_id in (client_id, provider_id):
            links.setdefault(entity_id, set()).add(f"{origin}-{destination}")
    sources = [evidence_facts(session, ids, today)] + [provider(session, ids) for provider in PROVIDERS]
    assembled = {}
    for entity_id, entity in entities.items():
        facts = licence_facts(licences.get(entity_id, []), today)
        if entity.certification_status:
            facts["certification_status"] = entity.certification_status
        for source in sources:
            facts.update(source.get(entity_id, {}))
        corridors = {f"{entity.country}-{d}" for lic in licences.get(entity_id, []) for d in lic.destinations}
        corridors |= links.get(entity_id, set())
        assembled[entity_id] = (facts, entity.kind, entity.country, tuple(sorted(corridors)))
    return assembled


class LicenceView:
    """The parts of a licence its facts need."""

    def __init__(self, status, valid_until, destinations):
        self.status, self.valid_until, self.destinations = status, valid_until, destinations


def evidence_facts(session, entity_ids, today):
    """{entity id: facts} from fee lines (known once recorded or surveyed), the latest answer to each practice,
    audit findings and their corrective actions overdue on `today`.

    An audit's findings count once it is reported: until then they are the auditor's draft.
    """
    fees, assessments, findings, overdue = {}, {}, {}, {}
    for fee in session.execute(select(FeeLine.entity_id, FeeLine.category, FeeLine.amount, FeeLine.currency,
                                      FeeLine.paid_by, FeeLine.stage, FeeLine.repaid)
                               .where(any_of(session, FeeLine.entity_id, entity_ids)).order_by(FeeLine.id)):
        fees.setdefault(fee.entity_id, []).append({"category": fee.category, "amount": float(fee.amount),
                                                   "currency": fee.currency, "paid_by": fee.paid_by,
                                                   "stage": fee.stage, "repaid": fee.repaid})
    for assessment in session.scalars(select(PracticeAssessment)
                                      .where(any_of(session, PracticeAssessment.entity_id, entity_ids))):
        assessments.setdefault(assessment.entity_id, []).append(assessment)
    reported = Audit.id.is_(None) | Audit.state.in_(REPORTED)
    for finding in session.execute(select(AuditFinding.entity_id, AuditFinding.principle, AuditFinding.grade,
                                          AuditFinding.status)
                                   .outerjoin(Audit, Audit.id == AuditFinding.audit_id)
                                   .where(any_of(session, AuditFinding.entity_id, entity_ids), reported)
                                   .order_by(AuditFinding.id)):
        findings.setdefault(finding.entity_id, []).append(
            {"principle": finding.principle, "grade": finding.grade, "status": finding.status})
    for action in session.execute(select(AuditFinding.entity_id, AuditFinding.principle, AuditFinding.grade,
                                         CorrectiveAction.deadline).select_from(CorrectiveAction)
                                  .join(AuditFinding, AuditFinding.id == CorrectiveAction.finding_id)
                                  .outerjoin(Audit, Audit.id == AuditFinding.audit_id)
                                  .where(any_of(session, AuditFinding.entity_id, entity_ids), reported,
                                         CorrectiveAction.state == "open", CorrectiveAction.deadline < today)
                                  .order_by(CorrectiveAction.id)):
        overdue.setdefault(action.entity_id, []).append(
            {"principle": action.principle, "grade": action.grade, "days_overdue": (today - action.deadline).days})
    # A reported audit that found nothing is evidence of no findings, as an assessment is.
    audited = set(session.scalars(select(Audit.entity_id).where(any_of(session, Audit.entity_id, entity_ids),
                                                                Audit.state.in_(REPORTED))))
    result = {}
    for entity_id in entity_ids:
        facts = {}
        mine = assessments.get(entity_id, [])
        if entity_id in fees or any(a.fee_survey_done for a in mine):
            facts["fee_lines"] = fees.get(entity_id, [])
        for assessment in sorted(mine, key=lambda a: (a.assessed_on, SOURCE_RANK.get(a.source, 0), a.id)):
            facts.update({name: getattr(assessment, name) for name in PRACTICES
                          if getattr(assessment, name) is not None})
        if entity_id in findings or mine or entity_id in audited:
            # An assessment that found nothing is evidence of no findings (and of no overdue action).
            facts["findings"] = findings.get(entity_id, [])
            facts["overdue_corrective_actions"] = overdue.get(entity_id, [])
        if facts:
            result[entity_id] = facts
    return result
