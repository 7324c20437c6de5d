"""The review sweep tells the organisations owning its tasks, through the outbox, once: a licence expiring or
expired and a corrective action overdue when it makes their task, a task due when its due date comes; a second
sweep on the same day writes nothing."""
from datetime import date, timedelta

from sqlalchemy import select

from app.audits import deliver, notices
from app.audits.review_facts import start_of
from app.audits.models import Audit, CorrectiveAction
from app.audits.outbox_models import Delivery, OutboxEvent, Subscription
from app.audits.tasks_models import ReviewTask
from app.registry import service as registry
from app.registry.models import PortfolioEntry
from app.accounts.cli import OPERATOR
from app.scoring.models import AuditFinding
from tests.audits.test_tasks_sweep import NOW, licence, sweep
from tests.conftest import count


def events(session, kind=None):
    query = select(OutboxEvent).order_by(OutboxEvent.organisation_id, OutboxEvent.id)
    return session.scalars(query.where(OutboxEvent.kind == kind) if kind else query).all()


def told(session, kind):
    """(organisation, entity, params without the entity's name) of the events of a kind."""
    return [(e.organisation_id, e.entity_id, {k: v for k, v in e.payload["params"].items() if k != "entity_name"})
            for e in events(session, kind)]


def test_an_expiring_licence_is_told_to_its_regulator_and_followers_once_then_its_task_when_due(
        session, make_agency, make_org, authority):
    regulator = make_org("government", authority_codes=[authority.code])
    brand, stranger = make_org("business"), make_org("business")
    agency = make_agency(licences=[licence(NOW + timedelta(days=40), number="100/076/77")])
    session.add(PortfolioEntry(organisation_id=brand.id, entity_id=agency.id))
    session.commit()
    ends = NOW + timedelta(days=40)
    first = sweep(session)
    params = {"licence_id": agency.licences[0].id, "number": "100/076/77", "valid_until": ends.isoformat(),
              "days": 40}
    assert told(session, "licence_expiring") == sorted([(brand.id, agency.id, params),
                                                        (regulator.id, agency.id, params)])
    assert events(session, "licence_expiring")[0].payload["params"]["entity_name"] == agency.legal_name
    assert events(session, "licence_expiring")[0].created_at.date() == NOW  # the sweep's day, not the clock's
    assert first.notified == 2 and not events(session, "task_due")
    assert stranger.id not in {e.organisation_id for e in events(session)}

    assert sweep(session).notified == 0  # the same day again
    assert sweep(session, NOW + timedelta(days=1)).notified == 0  # the task exists: nothing new to tell
    assert count(session, OutboxEvent) == 2

    on_the_day = sweep(session, ends)
    tasks = {t.organisation_id: t for t in session.scalars(select(ReviewTask).where(ReviewTask.entity_id == agency.id))}
    assert on_the_day.notified == 2
    assert told(session, "task_due") == sorted(
        (org, agency.id, {"task_id": tasks[org].id, "reason": "licence_expiring", "due_on": ends.isoformat()})
        for org in (brand.id, regulator.id))
    assert all(task.due_notified_on == ends for task in tasks.values())
    assert sweep(session, ends).notified == 0
    assert sweep(session, ends + timedelta(days=1)).notified == 2  # it expired: told to both again
    assert {e.organisation_id for e in events(session, "licence_expired")} == {brand.id, regulator.id}


def test_a_lapsed_licence_is_told_expired_with_its_end_date(session, make_agency, make_org, authority):
    regulator = make_org("government", authority_codes=[authority.code])
    agency = make_agency(licences=[licence(NOW - timedelta(days=1), number="200/076/77")])
    sweep(session)
    assert told(session, "licence_expired") == [(regulator.id, agency.id, {
        "licence_id": agency.licences[0].id, "number": "200/076/77",
        "valid_until": (NOW - timedelta(days=1)).isoformat()})]
    assert sweep(session).notified == 0


def test_an_overdue_action_is_told_to_the_auditor_with_its_audit_and_its_overdue_task(session, make_agency, make_org):
    body = make_org("certification_body")
    agency = make_agency()
    audit = Audit(entity_id=agency.id, organisation_id=body.id, kind="announced", scope="C", state="reported",
                  planned_on=date(2026, 1, 1))
    session.add(audit)
    session.flush()
    finding = AuditFinding(entity_id=agency.id, audit_id=audit.id, principle="C", grade="minor",
                           description="Fees charged", source="audit", recorded_by_organisation_id=body.id,
                           found_on=date(2026, 1, 5))
    session.add(finding)
    session.flush()
    late = CorrectiveAction(finding_id=finding.id, description="Repay the fees", deadline=date(2026, 3, 1))
    session.add_all([late, CorrectiveAction(finding_id=finding.id, description="Train staff",
                                            deadline=date(2026, 6, 1))])
    session.commit()
    sweep(session)
    assert told(session, "action_overdue") == [(body.id, agency.id, {
        "action_id": late.id, "audit_id": audit.id, "deadline": "2026-03-01"})]
    [task] = session.scalars(select(ReviewTask).where(ReviewTask.entity_id == agency.id)).all()
    # Escalation was due on 8 March, before the sweep's day: due at once.
    assert told(session, "task_due") == [(body.id, agency.id, {
        "task_id": task.id, "reason": "overdue_corrective_action", "due_on": "2026-03-08"})]
    assert sweep(session).notified == 0


def test_a_task_is_told_due_again_only_for_a_new_date_and_a_snoozed_one_when_it_wakes(session, make_agency,
                                                                                     make_org, authority):
    regulator = make_org("government", authority_codes=[authority.code])
    snoozing, moved = (make_agency(licences=[licence(NOW - timedelta(days=20), status="expired", number=number)])
                       for number in ("E-1", "E-2"))
    sweep(session, NOW - timedelta(days=15))  # both expired 19 days before: tasks due 14 days after the expiry
    [snoozed] = session.scalars(select(ReviewTask).where(ReviewTask.entity_id == snoozing.id)).all()
    snoozed.state, snoozed.snoozed_until, snoozed.snooze_reason = "snoozed", NOW + timedelta(days=5), "waiting"
    session.commit()
    sweep(session)
    assert [e.entity_id for e in events(session, "task_due")] == [moved.id]
    sweep(session, NOW + timedelta(days=5))  # the snooze ends: open again, and due since long ago
    assert [e.entity_id for e in events(session, "task_due")] == [moved.id, snoozing.id]
    assert {e.organisation_id for e in events(session, "task_due")} == {regulator.id}

    # A new due date (as when a task's cause moves it) is told again once it comes, and only then.
    [due] = session.scalars(select(ReviewTask).where(ReviewTask.entity_id == moved.id)).all()
    due.due_on = NOW + timedelta(days=7)
    session.commit()
    assert notices.due_tasks(session, moved.id, moved.id, NOW + timedelta(days=6)) == []
    [again] = notices.due_tasks(session, moved.id, moved.id, NOW + timedelta(days=7))
    assert again.params["due_on"] == NOW + timedelta(days=7) and again.organisation_id == regulator.id
    assert notices.due_tasks(session, moved.id, moved.id, NOW + timedelta(days=7)) == []


def test_withdrawn_entities_tell_nobody(session, make_agency, make_org, authority):
    make_org("government", authority_codes=[authority.code])
    agency = make_agency(licences=[licence(NOW + timedelta(days=10))])
    registry.withdraw_entity(session, OPERATOR, agency.id, reason="registered twice")
    session.commit()
    assert sweep(session).notified == 0 and count(session, OutboxEvent) == 0


def test_the_sweeps_events_reach_the_subscriptions_that_chose_them(session, app, make_agency, make_org, make_user,
                                                                  authority):
    regulator = make_org("government", authority_codes=[authority.code])
    admin = make_user("admin", organisation=regulator)
    session.add_all([Subscription(organisation_id=regulator.id, channel="digest", events=["licence_expiring"],
                                  user_id=admin.id),
                     Subscription(organisation_id=regulator.id, channel="digest", events=["new_hit"],
                                  user_id=admin.id)])
    session.commit()
    make_agency(licences=[licence(NOW + timedelta(days=10))])
    sweep(session)
    deliver.fan_out(session, start_of(NOW), 100, app.config["DIGEST_HOUR"])
    [delivery] = session.scalars(select(Delivery)).all()
    assert delivery.organisation_id == regulator.id and delivery.channel == "digest"
    assert session.get(OutboxEvent, delivery.event_id).kind == "licence_expiring"
