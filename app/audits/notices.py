"""What the review sweep tells the organisations that own its tasks, through the outbox (app/audits/outbox.py).

A licence expiring or expired, and a corrective action overdue, are told when the sweep makes the task for them
(a task is made once per occurrence: the same licence end, the same action); a task due is told when its due
date comes, and the task keeps the date it was told for. So each is written once, and a second sweep on the
same day writes nothing. They follow the review policy: a trigger it turns off makes no task and tells nobody.
"""
from sqlalchemy import select, update

from app.audits import outbox
from app.audits.models import CorrectiveAction
from app.audits.review_facts import start_of
from app.audits.tasks_models import ReviewTask
from app.registry.models import Entity
from app.scoring.models import AuditFinding

# Tasks people are to work on: a snoozed one is told when its snooze ends (it is open again).
DUE_STATES = ("open", "claimed")


def new_tasks(session, tasks, facts, now):
    """Events for the tasks a sweep made (policy.Wanted), each for the organisation that owns it."""
    at = start_of(now)
    actions = [task for task in tasks if task.reason == "overdue_corrective_action"]
    audits = audits_of(session, [task.explanation["params"]["action_id"] for task in actions])
    events = []
    for task in tasks:
        if task.reason in ("licence_expiring", "licence_expired"):
            licence = next(licence for licence in facts[task.entity_id].licences
                           if task.key == f"licence:{licence.id}:{licence.valid_until}")
            if task.reason == "licence_expiring":
                events.append(outbox.licence_expiring(
                    task.organisation_id, task.entity_id, licence_id=licence.id, number=licence.number,
                    valid_until=licence.valid_until, days=(licence.valid_until - now).days, at=at))
            else:
                events.append(outbox.licence_expired(task.organisation_id, task.entity_id, licence_id=licence.id,
                                                     number=licence.number, valid_until=licence.valid_until, at=at))
        elif task.reason == "overdue_corrective_action":
            params = task.explanation["params"]
            events.append(outbox.action_overdue(task.organisation_id, task.entity_id, action_id=params["action_id"],
                                                audit_id=audits.get(params["action_id"]),
                                                deadline=params["deadline"], at=at))
    return events


def audits_of(session, action_ids):
    """{corrective action id: the audit its finding belongs to (None for evidence outside an audit)}."""
    if not action_ids:
        return {}
    return dict(session.execute(select(CorrectiveAction.id, AuditFinding.audit_id)
                                .join(AuditFinding, AuditFinding.id == CorrectiveAction.finding_id)
                                .where(CorrectiveAction.id.in_(action_ids))).all())


def due_tasks(session, lo, hi, now):
    """Events for the tasks of live entities lo to hi that fell due and were not told for that date; marks them."""
    tasks = ReviewTask.__table__
    live = select(Entity.id).where(Entity.id.between(lo, hi), Entity.deleted_at.is_(None))
    rows = session.execute(
        update(tasks).where(tasks.c.entity_id.in_(live), tasks.c.state.in_(DUE_STATES), tasks.c.due_on <= now,
                            (tasks.c.due_notified_on.is_(None)) | (tasks.c.due_notified_on != tasks.c.due_on))
        .values(due_notified_on=tasks.c.due_on)
        .returning(tasks.c.id, tasks.c.entity_id, tasks.c.organisation_id, tasks.c.reason, tasks.c.due_on)).all()
    at = start_of(now)
    return [outbox.task_due(row.organisation_id, row.entity_id, task_id=row.id, reason=row.reason,
                            due_on=row.due_on, at=at) for row in sorted(rows)]
