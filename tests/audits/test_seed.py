"""The demo audits: every state, overdue actions relative to the day of seeding, nothing added twice."""
from sqlalchemy import select

from app.audits.models import STATES, Audit, CorrectiveAction
from app.registry import expiry
from app.scoring.models import AuditFinding, Score
from tests.conftest import count


def test_the_seed_has_audits_in_every_state_and_overdue_actions(runner, session):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert set(session.scalars(select(Audit.state))) == set(STATES)
    today = expiry.today()
    actions = session.scalars(select(CorrectiveAction)).all()
    overdue = [action for action in actions if action.overdue_on(today)]
    assert len(overdue) >= 2 and {a.state for a in actions} == {"open", "completed", "verified"}
    assert any(action.rejection_note and action.state == "open" for action in actions)
    kinds = {audit.organisation.kind for audit in session.scalars(select(Audit))}
    assert kinds == {"certification_body", "business"}
    # The first scores count the reported audits: their overdue actions fail the rule.
    late = session.scalar(select(Score).join(AuditFinding, AuditFinding.entity_id == Score.entity_id)
                          .join(CorrectiveAction, CorrectiveAction.finding_id == AuditFinding.id)
                          .where(CorrectiveAction.id == overdue[0].id).order_by(Score.id.desc()).limit(1))
    assert ["G-CORRECTIVE-ACTIONS-ON-TIME", "fail"] == next(o[:2] for o in late.outcomes
                                                            if o[0] == "G-CORRECTIVE-ACTIONS-ON-TIME")

    before = (count(session, Audit), count(session, AuditFinding), count(session, CorrectiveAction))
    assert runner.invoke(args=["seed"]).exit_code == 0
    assert (count(session, Audit), count(session, AuditFinding), count(session, CorrectiveAction)) == before
