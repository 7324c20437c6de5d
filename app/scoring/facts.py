"""Facts of an entity assembled from the database: registry, fee lines, latest practices, audit findings.

A fact with no evidence behind it is left out of the dict, so rules see it as unknown.
"""
from datetime import date

from sqlalchemy import select

from app.registry.models import Entity, Licence, LicenceDestination, Relationship
from app.scoring.models import PRACTICES, AuditFinding, FeeLine, PracticeAssessment

# The licence that speaks for an entity: the best status first, then the latest expiry.
STATUS_RANK = {"valid": 0, "provisional": 1, "preventive_suspension": 2, "expired": 3, "suspended": 4,
               "surrendered": 5, "delisted": 6, "cancelled": 7, "revoked": 8, "banned": 9}
# Audits outrank self-assessments made on the same day.
SOURCE_RANK = {"audit": 1}


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
    today = today or date.today()
    entity = session.get(Entity, entity_id)
    licences = session.execute(select(Licence.id, Licence.status, Licence.valid_until)
                               .where(Licence.entity_id == entity_id)).all()
    destinations = {}
    for licence_id, country in session.execute(select(LicenceDestination.licence_id, LicenceDestination.country)
                                               .join(Licence).where(Licence.entity_id == entity_id)):
        destinations.setdefault(licence_id, []).append(country)
    facts = licence_facts([LicenceView(l.status, l.valid_until, destinations.get(l.id, [])) for l in licences], today)
    if entity.certification_status:
        facts["certification_status"] = entity.certification_status
    facts.update(evidence_facts(session, entity_id))
    corridors = {f"{entity.country}-{d}" for ds in destinations.values() for d in ds}
    corridors |= {f"{o}-{d}" for o, d in session.execute(
        select(Relationship.origin_country, Relationship.destination_country)
        .where((Relationship.client_id == entity_id) | (Relationship.provider_id == entity_id)))}
    return facts, entity.kind, entity.country, tuple(sorted(corridors))


class LicenceView:
    """The parts of a licence its facts need."""

    def __init__(self, status, valid_until, destinations):
        self.status, self.valid_until, self.destinations = status, valid_until, destinations


def evidence_facts(session, entity_id):
    """Fee lines (known once recorded or surveyed), the latest answer to each practice, audit findings."""
    facts = {}
    fees = session.scalars(select(FeeLine).where(FeeLine.entity_id == entity_id).order_by(FeeLine.id)).all()
    assessments = session.scalars(select(PracticeAssessment).where(PracticeAssessment.entity_id == entity_id)).all()
    if fees or any(a.fee_survey_done for a in assessments):
        facts["fee_lines"] = [{"category": f.category, "amount": float(f.amount), "currency": f.currency,
                               "paid_by": f.paid_by, "stage": f.stage, "repaid": f.repaid} for f in fees]
    for assessment in sorted(assessments, key=lambda a: (a.assessed_on, SOURCE_RANK.get(a.source, 0), a.id)):
        facts.update({name: getattr(assessment, name) for name in PRACTICES
                      if getattr(assessment, name) is not None})
    findings = session.scalars(select(AuditFinding).where(AuditFinding.entity_id == entity_id)
                               .order_by(AuditFinding.id)).all()
    if findings or assessments:
        # An assessment that found nothing is evidence of no findings.
        facts["findings"] = [{"principle": f.principle, "grade": f.grade, "status": f.status} for f in findings]
    return facts
