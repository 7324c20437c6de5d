"""Re-scoring many entities in one batch (the commit's scoring phase) gives what scoring them one at a time gives."""
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from app import effects
from app.registry.models import Licence
from app.scoring import rescoring, service as scoring
from app.scoring.models import AuditFinding, FeeLine, PracticeAssessment, Score

KEPT = ("entity_id", "ruleset_id", "ruleset_hash", "total", "tier", "coverage", "outcomes", "facts", "reason")


def evidence(session, agencies):
    """Different evidence on each entity, written without scoring, some of it enough to change a tier."""
    first, second, third, fourth = agencies[:4]
    session.add(FeeLine(entity_id=first.id, category="recruitment", amount=Decimal("1200.00"), currency="USD",
                        paid_by="worker", stage="pre_departure", source="survey"))
    session.add(PracticeAssessment(entity_id=second.id, assessed_on=date(2026, 1, 5), source="self",
                                   written_contract=True, documents_retained=True, grievance_mechanism=False))
    session.add(AuditFinding(entity_id=third.id, principle="B", grade="major", description="Passports kept",
                             found_on=date(2026, 1, 9), source="audit"))
    session.get(Licence, fourth.licences[0].id).status = "suspended"
    session.flush()
    rescoring.cancel(session)  # nothing scored at commit: each test scores itself


def scored(session, after):
    """The score rows written after row `after`, by entity, as the values they keep."""
    rows = session.scalars(select(Score).where(Score.id > after).order_by(Score.id)).all()
    return {row.entity_id: tuple(getattr(row, name) for name in KEPT) for row in rows}, len(rows)


def test_a_batch_writes_the_rows_and_tier_changes_that_one_at_a_time_writes(session, make_agency):
    agencies = [make_agency() for _ in range(5)] + [make_agency("employer", legal_name="Doha Builders WLL",
                                                                country="QA", licences=[])]
    ids = [agency.id for agency in agencies]
    last = session.scalar(select(func.max(Score.id)))
    history = session.scalar(select(func.count()).select_from(Score))

    evidence(session, agencies)
    for entity_id in ids:
        scoring.score_entity(session, entity_id, reason="test")
    one_at_a_time, written = scored(session, last)
    tier_events = list(effects.pending(session)["outbox"])
    session.rollback()

    evidence(session, agencies)
    rescoring.score(session, rescoring.for_entities(ids, "test"))
    together, written_together = scored(session, last)
    assert together == one_at_a_time and written_together == written == len(ids)
    assert effects.pending(session)["outbox"] == tier_events
    assert {event.kind for event in tier_events} == {"tier_changed"} and len(tier_events) >= 2
    session.commit()
    assert session.scalar(select(func.count()).select_from(Score)) == history + len(ids)
    assert len({row[4] for row in together.values()}) > 1  # different tiers were compared


def test_the_commit_scores_every_entity_a_transaction_touched_once(session, make_agency):
    agencies = [make_agency() for _ in range(3)]
    last = session.scalar(select(func.max(Score.id)))
    for agency in agencies:
        session.get(Licence, agency.licences[0].id).status = "revoked"
    rescoring.later(session, [agencies[0].id])  # noted twice: one row still
    session.commit()
    rows, count = scored(session, last)
    assert count == 3 and set(rows) == {agency.id for agency in agencies}
    assert {row[7]["licence_status"] for row in rows.values()} == {"revoked"}
