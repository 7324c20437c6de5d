"""The sweep on a fixed day, against a real database: every trigger of the shipped policy makes its task for the
right organisations, licences that lapsed are recorded expired once, a second run changes nothing, and tasks
people closed stay closed."""
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.accounts.cli import OPERATOR
from app.accounts.models import AuditEvent
from app.audits import sweep as review_sweep
from app.audits.models import CorrectiveAction
from app.audits.tasks_models import EntityReview, ReviewTask
from app.registry import expiry
from app.registry.models import Entity, Licence, LicenceStatusChange, PortfolioEntry, RegistryState
from app.scoring.models import AuditFinding, Score
from app.screening.models import Hit
from app.screening.screen import import_and_screen
from tests.conftest import count

NOW = date(2026, 3, 10)
BANNED = Path(__file__).resolve().parent.parent / "data" / "screening" / "hits" / "banned_v1.csv"


def at(day):
    return datetime(day.year, day.month, day.day, 9, 30, tzinfo=timezone.utc)


def licence(valid_until, status="valid", number=None):
    return {"authority": "NP-DOFE", "number": number or f"S-{valid_until}-{status}", "type": "full",
            "status": status, "valid_until": valid_until, "destinations": ["QA"], "sectors": []}


def tasks_of(session, entity_id, **where):
    return session.scalars(select(ReviewTask).filter_by(entity_id=entity_id, **where)
                           .order_by(ReviewTask.organisation_id, ReviewTask.reason)).all()


def next_review(session, entity):
    review = session.get(EntityReview, entity.id)
    return review and review.next_review_on


def sweep(session, now=NOW):
    result = review_sweep.sweep_due(session, now)
    session.commit()
    session.expire_all()
    return result


@pytest.fixture
def regulator(make_org, authority):
    return make_org("government", authority_codes=[authority.code])


@pytest.fixture
def follow(session):
    def add(entity, organisation):
        session.add(PortfolioEntry(organisation_id=organisation.id, entity_id=entity.id))
        session.commit()
    return add


def scored(session, entity, tier, day, previous=None):
    """Give the entity a latest score of `tier` on `day` (and one of `previous` the day before)."""
    for name, when in ((previous, day - timedelta(days=1)), (tier, day)):
        if name:
            session.add(Score(entity_id=entity.id, ruleset_id="default", ruleset_hash="x" * 64, total=50.0, tier=name,
                              coverage=1.0, outcomes=[], facts={}, reason="test", scored_at=at(when)))
    session.commit()


def test_a_licence_ending_soon_makes_a_task_for_its_regulator_and_followers(session, make_agency, make_org,
                                                                               regulator, follow):
    agency = make_agency(licences=[licence(NOW + timedelta(days=40))])
    brand = make_org("business")
    follow(agency, brand)
    result = sweep(session)
    tasks = tasks_of(session, agency.id)
    assert [(t.organisation_id, t.reason, t.due_on, t.state) for t in tasks] == sorted([
        (brand.id, "licence_expiring", NOW + timedelta(days=40), "open"),
        (regulator.id, "licence_expiring", NOW + timedelta(days=40), "open")])
    assert tasks[0].explanation == {"message": "licence_expiring", "params": {
        "licence": f"NP-DOFE {agency.licences[0].number}", "valid_until": "2026-04-19"}}
    assert result.created >= 2
    assert next_review(session, agency) == NOW + timedelta(days=40)


def test_a_licence_ending_in_a_year_makes_no_task(session, make_agency, regulator):
    agency = make_agency(licences=[licence(NOW + timedelta(days=365))])
    sweep(session)
    assert tasks_of(session, agency.id) == []


def test_a_lapsed_licence_is_recorded_expired_once_by_the_system_and_reviewed(session, make_agency, regulator):
    agency = make_agency(licences=[licence(NOW - timedelta(days=1))])
    lapsed = agency.licences[0]
    generation = session.get(RegistryState, 1).generation
    first = sweep(session)
    assert first.licences_expired == 1
    history = session.scalars(select(LicenceStatusChange).where(LicenceStatusChange.licence_id == lapsed.id)
                              .order_by(LicenceStatusChange.id)).all()
    assert [(h.status, h.reason, h.effective_on, h.recorded_by_user_id) for h in history] == [
        ("valid", "recorded", None, None), ("expired", "expired", NOW, None)]
    assert session.get(Licence, lapsed.id).status == "expired"
    assert session.get(Licence, lapsed.id).version == 2
    assert session.get(RegistryState, 1).generation > generation
    assert session.scalar(select(AuditEvent).where(AuditEvent.object_type == "licences",
                                                   AuditEvent.object_id == str(lapsed.id),
                                                   AuditEvent.action == "update")).after == {"status": "expired"}
    [task] = tasks_of(session, agency.id)
    assert (task.reason, task.organisation_id, task.due_on) == ("licence_expired", regulator.id,
                                                                NOW + timedelta(days=14))
    second = sweep(session, NOW + timedelta(days=1))
    assert second.licences_expired == 0
    assert session.scalar(select(LicenceStatusChange.id).where(LicenceStatusChange.licence_id == lapsed.id)
                          .order_by(LicenceStatusChange.id.desc()).limit(1)) == history[-1].id


def test_an_expired_licence_nobody_watches_goes_to_the_platform(session, make_agency, make_org):
    platform = make_org("platform")
    agency = make_agency(licences=[licence(NOW - timedelta(days=3))])
    sweep(session)
    assert [(t.reason, t.organisation_id) for t in tasks_of(session, agency.id)] == [
        ("licence_expired", platform.id)]


def test_an_old_expiry_makes_no_task(session, make_agency, regulator):
    agency = make_agency(licences=[licence(NOW - timedelta(days=200), status="expired")])
    sweep(session)
    assert tasks_of(session, agency.id) == []


def test_periodic_review_by_tier_counts_from_registration_then_from_the_last_review(session, make_agency,
                                                                                     make_org, follow):
    agency = make_agency()
    brand = make_org("business")
    follow(agency, brand)
    session.execute(update(Entity).where(Entity.id == agency.id).values(created_at=at(date(2025, 9, 20))))
    scored(session, agency, "high", date(2026, 1, 5))     # high: every 6 months, so due 2026-03-20
    sweep(session)
    [task] = tasks_of(session, agency.id)
    assert (task.reason, task.due_on, task.organisation_id) == ("periodic_review", date(2026, 3, 20), brand.id)
    assert task.explanation["params"] == {"tier": "high", "months": 6, "since": "2025-09-20"}
    assert next_review(session, agency) == date(2026, 3, 20)
    session.execute(update(ReviewTask).where(ReviewTask.id == task.id)
                    .values(state="done", closed_at=at(date(2026, 3, 12))))
    session.commit()
    sweep(session, date(2026, 3, 12))
    assert [t.state for t in tasks_of(session, agency.id)] == ["done"]   # the next is not due yet
    assert next_review(session, agency) == date(2026, 9, 12)
    sweep(session, date(2026, 8, 20))
    assert [(t.state, t.due_on) for t in tasks_of(session, agency.id)] == [
        ("done", date(2026, 3, 20)), ("open", date(2026, 9, 12))]


def test_a_worse_tier_moves_the_periodic_review_and_is_a_task_of_its_own(session, make_agency, make_org, follow):
    agency = make_agency()
    brand = make_org("business")
    follow(agency, brand)
    session.execute(update(Entity).where(Entity.id == agency.id).values(created_at=at(date(2025, 1, 10))))
    scored(session, agency, "low", date(2025, 6, 1))
    sweep(session)
    assert tasks_of(session, agency.id) == []   # low: every 36 months
    assert next_review(session, agency) == date(2028, 1, 10)
    scored(session, agency, "critical", NOW - timedelta(days=2), previous="low")
    sweep(session)
    assert [(t.reason, t.due_on) for t in tasks_of(session, agency.id)] == [
        ("periodic_review", date(2025, 4, 10)), ("tier_worsened", NOW + timedelta(days=28))]
    worse = tasks_of(session, agency.id, reason="tier_worsened")[0]
    assert worse.explanation["params"] == {"from_tier": "low", "to_tier": "critical",
                                           "scored_on": str(NOW - timedelta(days=2))}


def test_a_certification_ending_soon_goes_to_its_certifier(session, make_agency, make_org):
    body = make_org("certification_body")
    agency = make_agency()
    session.execute(update(Entity).where(Entity.id == agency.id).values(
        certification_status="certified", certified_by_organisation_id=body.id,
        certification_valid_until=NOW + timedelta(days=60)))
    session.commit()
    sweep(session)
    assert [(t.reason, t.organisation_id, t.due_on) for t in tasks_of(session, agency.id)] == [
        ("certification_expiring", body.id, NOW + timedelta(days=60))]


def test_a_newly_confirmed_hit_is_reviewed_by_the_followers(session, make_agency, make_org, follow):
    agency = make_agency(legal_name="Gulf Dream Manpower Pvt. Ltd.")
    brand = make_org("business")
    follow(agency, brand)
    import_and_screen(session, "np-banned", "generic-csv", [BANNED], actor=OPERATOR, kind="banned_agency",
                      threshold=0.8)
    session.commit()
    hit = session.scalar(select(Hit).where(Hit.entity_id == agency.id))
    sweep(session)
    assert tasks_of(session, agency.id) == []   # an open hit is not a reason yet
    session.execute(update(Hit).where(Hit.id == hit.id).values(state="confirmed",
                                                               decided_at=at(NOW - timedelta(days=3))))
    session.commit()
    sweep(session)
    [task] = tasks_of(session, agency.id)
    assert (task.reason, task.organisation_id, task.due_on) == ("confirmed_hit", brand.id, NOW + timedelta(days=11))
    assert task.explanation["params"]["list"] == "np-banned"


def test_an_open_major_finding_needs_a_follow_up_audit_by_whoever_recorded_it(session, make_agency, make_org):
    body = make_org("certification_body")
    agency = make_agency()
    for grade in ("major", "minor"):
        session.add(AuditFinding(entity_id=agency.id, principle="D", grade=grade, description="Passports kept",
                                 source="audit", recorded_by_organisation_id=body.id, found_on=date(2026, 2, 1)))
    session.commit()
    sweep(session)
    [task] = tasks_of(session, agency.id)
    assert (task.reason, task.organisation_id, task.due_on) == ("critical_finding", body.id, date(2026, 5, 2))
    session.execute(update(AuditFinding).where(AuditFinding.entity_id == agency.id).values(status="closed"))
    session.commit()
    assert sweep(session).cancelled == 1   # its cause went away
    [task] = tasks_of(session, agency.id)
    assert (task.state, task.closed_by_sweep, task.close_note) == ("cancelled", True, "no longer due")


def test_an_overdue_corrective_action_is_escalated_to_the_organisation_that_found_it(session, make_agency, make_org):
    body = make_org("certification_body")
    agency = make_agency()
    finding = AuditFinding(entity_id=agency.id, principle="C", grade="minor", description="Fees charged",
                           source="audit", recorded_by_organisation_id=body.id, found_on=date(2026, 1, 5))
    session.add(finding)
    session.flush()
    late = CorrectiveAction(finding_id=finding.id, description="Repay the fees", deadline=date(2026, 3, 1))
    session.add_all([late,
                     CorrectiveAction(finding_id=finding.id, description="Publish a no-fee policy",
                                      deadline=date(2026, 3, 1), state="verified"),
                     CorrectiveAction(finding_id=finding.id, description="Train staff", deadline=date(2026, 6, 1))])
    session.commit()
    sweep(session)
    [task] = tasks_of(session, agency.id)
    assert (task.reason, task.organisation_id, task.due_on, task.trigger_key) == (
        "overdue_corrective_action", body.id, date(2026, 3, 8), f"action:{late.id}")


def test_a_second_sweep_on_the_same_day_changes_nothing(session, make_agency, make_org, regulator, follow):
    agencies = [make_agency(licences=[licence(NOW + timedelta(days=days), number=f"I-{days}")])
                for days in (-2, 10, 50)]
    follow(agencies[0], make_org("business"))
    sweep(session)
    before = [(t.id, t.version, t.state, t.due_on, t.updated_at) for t in session.scalars(select(ReviewTask))]
    entities = [(e.id, e.version, e.generation, e.review and e.review.next_review_on)
                for e in session.scalars(select(Entity))]
    second = sweep(session)
    assert (second.licences_expired, second.created, second.updated, second.cancelled, second.woken,
            second.next_review_changed) == (0, 0, 0, 0, 0, 0)
    assert [(t.id, t.version, t.state, t.due_on, t.updated_at) for t in session.scalars(select(ReviewTask))] == before
    assert [(e.id, e.version, e.generation, e.review and e.review.next_review_on)
            for e in session.scalars(select(Entity))] == entities


def test_a_done_task_does_not_come_back_until_its_reason_fires_anew(session, make_agency, regulator):
    agency = make_agency(licences=[licence(NOW + timedelta(days=20))])
    sweep(session)
    [task] = tasks_of(session, agency.id)
    session.execute(update(ReviewTask).where(ReviewTask.id == task.id).values(state="done", closed_at=at(NOW)))
    session.commit()
    sweep(session)
    sweep(session, NOW + timedelta(days=5))
    assert [t.state for t in tasks_of(session, agency.id)] == ["done"]
    # Renewed, then the new end date comes near: a new occurrence, a new task.
    session.execute(update(Licence).where(Licence.entity_id == agency.id)
                    .values(valid_until=NOW + timedelta(days=400)))
    session.commit()
    sweep(session, NOW + timedelta(days=360))
    assert [(t.state, t.due_on) for t in tasks_of(session, agency.id)] == [
        ("done", NOW + timedelta(days=20)), ("open", NOW + timedelta(days=400))]


def test_a_renewed_licence_cancels_its_open_task_and_a_new_end_date_updates_nothing_else(session, make_agency,
                                                                                         regulator):
    agency = make_agency(licences=[licence(NOW + timedelta(days=20))])
    sweep(session)
    session.execute(update(Licence).where(Licence.entity_id == agency.id)
                    .values(valid_until=NOW + timedelta(days=30)))
    session.commit()
    result = sweep(session)
    tasks = tasks_of(session, agency.id)
    assert (result.cancelled, result.created) == (1, 1)
    assert [(t.state, t.due_on) for t in tasks] == [("cancelled", NOW + timedelta(days=20)),
                                                    ("open", NOW + timedelta(days=30))]
    assert count(session, ReviewTask) >= 2


def test_a_snoozed_task_comes_back_when_its_snooze_ends(session, make_agency, regulator):
    agency = make_agency(licences=[licence(NOW + timedelta(days=20))])
    sweep(session)
    [task] = tasks_of(session, agency.id)
    session.execute(update(ReviewTask).where(ReviewTask.id == task.id).values(
        state="snoozed", snoozed_until=NOW + timedelta(days=3), snooze_reason="waiting for the renewal papers"))
    session.commit()
    assert sweep(session).woken == 0
    assert next_review(session, agency) == NOW + timedelta(days=3)
    assert sweep(session, NOW + timedelta(days=3)).woken == 1
    assert tasks_of(session, agency.id)[0].state == "open"
    assert next_review(session, agency) == NOW + timedelta(days=20)


def test_withdrawn_entities_are_not_swept(session, make_agency, regulator):
    agency = make_agency(licences=[licence(NOW + timedelta(days=20))])
    session.execute(update(Entity).where(Entity.id == agency.id).values(deleted_at=at(NOW)))
    session.commit()
    sweep(session)
    assert tasks_of(session, agency.id) == []


def test_the_sweep_command_runs_for_a_day_and_refuses_a_bad_one(runner, session, make_agency, regulator):
    agency = make_agency(licences=[licence(NOW + timedelta(days=20))])
    result = runner.invoke(args=["tasks", "sweep", "--now", "2026-03-10"])
    assert result.exit_code == 0, result.output
    assert "2026-03-10:" in result.output and "created" in result.output
    assert [t.reason for t in tasks_of(session, agency.id)] == ["licence_expiring"]
    bad = runner.invoke(args=["tasks", "sweep", "--now", "10/03/2026"])
    assert bad.exit_code == 2 and "'10/03/2026' does not match the format '%Y-%m-%d'" in bad.output


def test_the_sweep_refuses_a_bad_policy_and_writes_nothing(runner, session, make_agency, regulator, monkeypatch,
                                                          tmp_path):
    from app.audits import policy_file
    agency = make_agency(licences=[licence(NOW - timedelta(days=1))])
    agency_id, licence_id = agency.id, agency.licences[0].id
    bad = tmp_path / "review-policy.yaml"
    bad.write_text("triggers:\n  licence_expiring:\n    notice_days: 60\n    owners: [regulator]\n")
    monkeypatch.setattr(policy_file, "DEFAULT", bad)
    result = runner.invoke(args=["tasks", "sweep", "--now", "2026-03-10"])
    assert result.exit_code == 1
    assert f"{bad}:4:13: 'regulator' cannot own licence_expiring tasks (did you mean regulators?)" in result.output
    assert tasks_of(session, agency_id) == [] and session.get(Licence, licence_id).status == "valid"


def test_a_sweep_scores_the_licences_it_records_expired_before_it_plans_so_the_same_day_again_changes_nothing(
        session, make_agency, make_org, regulator, monkeypatch):
    monkeypatch.setattr(expiry, "today", lambda: NOW - timedelta(days=5))
    agency = make_agency(licences=[licence(NOW - timedelta(days=1))])  # in force when it was scored
    session.execute(update(Entity).where(Entity.id == agency.id).values(created_at=at(date(2024, 1, 2))))
    session.add(PortfolioEntry(organisation_id=make_org("business").id, entity_id=agency.id))  # periodic reviews
    session.commit()
    monkeypatch.setattr(expiry, "today", lambda: NOW)
    first = sweep(session)
    tiers = session.scalars(select(Score.tier).where(Score.entity_id == agency.id).order_by(Score.id)).all()
    assert first.licences_expired == 1 and tiers == ["high", "critical"]
    # The tasks were planned on the tier the expiry gave: a critical tier's periodic review.
    assert {task.reason for task in tasks_of(session, agency.id)} == {"periodic_review", "licence_expired"}
    assert tasks_of(session, agency.id, reason="periodic_review")[0].explanation["params"]["tier"] == "critical"
    again = sweep(session)
    assert (again.created, again.updated, again.cancelled, again.next_review_changed) == (0, 0, 0, 0)
