"""The demo audits: every state, overdue actions relative to the day of seeding, nothing added twice."""
from sqlalchemy import select

from app.accounts.models import Organisation
from app.audits import deliver
from app.audits.models import STATES, Audit, CorrectiveAction
from app.audits.outbox_models import OutboxEvent, Subscription
from app.db import utcnow
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


def test_the_demo_brand_has_a_digest_its_admin_sees_with_something_waiting_in_it(app, runner, session, client):
    assert runner.invoke(args=["seed"]).exit_code == 0
    token = client.post("/api/v1/tokens", json={"email": "admin@northwind.example", "password": "demo-northwind-2026",
                                                "name": "test"})
    assert token.status_code == 201, token.json
    headers = {"Authorization": f"Bearer {token.json['token']}"}
    [subscription] = client.get("/api/v1/notifications/subscriptions", headers=headers).json
    assert subscription["channel"] == "digest" and "task_due" in subscription["events"]
    brand = session.scalar(select(Organisation).where(Organisation.name == "Northwind Apparel Group"))
    kinds = set(session.scalars(select(OutboxEvent.kind).where(OutboxEvent.organisation_id == brand.id)))
    assert {"task_due", "licence_expiring", "new_hit"} <= kinds  # what the seed's first sweep and screening told

    deliver.deliver_due(session, utcnow(), app.config)  # the scheduler's outbox sweep: the digest waits for morning
    waiting = client.get("/api/v1/notifications/deliveries?state=pending", headers=headers).json
    assert waiting["meta"]["total"] >= 3 and {item["channel"] for item in waiting["items"]} == {"digest"}

    # Seeded again: nothing added; deleted by the brand: it stays deleted.
    assert runner.invoke(args=["seed"]).exit_code == 0
    assert count(session, Subscription) == 1
    assert client.delete(f"/api/v1/notifications/subscriptions/{subscription['id']}", headers=headers).status_code == 204
    assert runner.invoke(args=["seed"]).exit_code == 0
    assert client.get("/api/v1/notifications/subscriptions", headers=headers).json == []
