"""The demo shows due work at once: the seed sweeps for today, so every demo organisation has review tasks, the
lapsed demo licences are recorded expired, and seeding again changes no task."""
from sqlalchemy import select

from app.accounts.models import Organisation
from app.audits.tasks_models import ReviewTask
from app.registry.models import Licence, LicenceStatusChange


def tasks_by_organisation(session):
    found = {}
    for name, reason, task_id, version in session.execute(
            select(Organisation.name, ReviewTask.reason, ReviewTask.id, ReviewTask.version)
            .join(Organisation, Organisation.id == ReviewTask.organisation_id).order_by(ReviewTask.id)):
        found.setdefault(name, []).append((reason, task_id, version))
    return found


def test_the_demo_has_due_work_for_every_organisation_and_a_second_seed_changes_none(runner, session):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "review tasks: 14 open (14 new today, 2 licence(s) recorded expired)" in first.output
    tasks = tasks_by_organisation(session)
    assert {reason for reason, _, _ in tasks["Nepal Department of Foreign Employment"]} == {
        "licence_expiring", "licence_expired"}
    assert {reason for reason, _, _ in tasks["Northwind Apparel Group"]} >= {
        "licence_expiring", "licence_expired", "certification_expiring", "critical_finding",
        "overdue_corrective_action"}
    # The certification body's audits left open major findings and an action past its deadline.
    assert sorted(reason for reason, _, _ in tasks["Fair Hire Certification Ltd"]) == [
        "certification_expiring", "critical_finding", "overdue_corrective_action"]
    assert [reason for reason, _, _ in tasks["FairRecruit Platform"]] == ["licence_expiring"]
    lapsed = session.scalars(select(Licence).where(Licence.number.in_(("BR-129/076/77", "BR-RL-0117")))).all()
    assert [licence.status for licence in lapsed] == ["expired", "expired"]
    assert all(session.scalars(select(LicenceStatusChange.reason).where(LicenceStatusChange.licence_id == licence.id)
                               .order_by(LicenceStatusChange.id)).all() == ["recorded", "expired"]
               for licence in lapsed)
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0, second.output
    assert "review tasks: 14 open (0 new today, 0 licence(s) recorded expired)" in second.output
    session.expire_all()
    assert tasks_by_organisation(session) == tasks
