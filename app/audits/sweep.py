"""The review sweep: on a given day, record the licences that expired, then for every entity gather the policy's
facts, run the policy, bring its review tasks in line and set its next review date; the owners of its tasks
hear of them through the outbox (app/audits/notices.py).

Idempotent: run twice with the same day, the second run changes nothing. It adds and flushes, never commits,
and takes `now` (a date) as an argument, so a scheduler, a command or a test decides the day. Run one at a time
(the scheduler holds its lock): two at once on PostgreSQL cannot both add a live task for the same entity,
reason and organisation (the partial unique index refuses the second, whose transaction then fails whole), and
a licence is recorded expired only by the one whose UPDATE changed it.
"""
from dataclasses import dataclass
from datetime import timedelta
import logging

from sqlalchemy import ARRAY, Date, Integer, bindparam, select, text, update

from app import effects
from app.accounts import audit
from app.audits import notices, outbox, policy_file
from app.audits.policy import Context, next_review, wanted_tasks
from app.audits.reconcile import reconcile
from app.audits.review_facts import Gatherer, platform_organisations, reaudit_schedules
from app.audits.tasks_models import EntityReview, ReviewTask
from app.bulk import chunks, insert_rows, paused_gc, postgresql, reserve_ids
from app.db import utcnow
from app.registry.expiry import IN_FORCE
from app.registry.models import Entity, Licence, LicenceStatusChange
from app.scoring import rescoring

log = logging.getLogger(__name__)
BATCH = 5000
LOADED = {}


def current_policy(path=None):
    """The review policy on disk (rules/review-policy.yaml), read again only when the file changes (raises
    Problems when it is bad)."""
    path = path or policy_file.DEFAULT
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in LOADED:
        LOADED[key] = policy_file.load(path)
    return LOADED[key]


@dataclass
class SweepResult:
    entities: int = 0
    licences_expired: int = 0
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    woken: int = 0
    next_review_changed: int = 0
    notified: int = 0


def sweep_due(session, now, policy=None, batch=BATCH):
    """Bring every live entity's review tasks and next review date in line with the policy on day `now`."""
    session.flush()
    policy = policy or current_policy()
    result = SweepResult(licences_expired=record_licence_expiries(session, now), woken=wake_snoozed(session, now))
    ctx = Context(now, reaudit_schedules(session), platform_organisations(session))
    gatherer = Gatherer(session, policy, now)
    ids = session.scalars(select(Entity.id).where(Entity.deleted_at.is_(None)).order_by(Entity.id)).all()
    with paused_gc():
        for chunk in chunks(ids, batch):
            entities = gatherer.entities(chunk[0], chunk[-1])
            facts = gatherer.facts(chunk[0], chunk[-1], entities)
            live, closed = gatherer.tasks(chunk[0], chunk[-1])
            live = [task for task in live if task.entity_id in entities]
            wanted = [task for entity_facts in facts.values() for task in wanted_tasks(policy, ctx, entity_facts)]
            plan = reconcile(wanted, live, closed)
            apply(session, plan, result)
            events = (notices.new_tasks(session, plan.inserts, facts, now)
                      + notices.due_tasks(session, chunk[0], chunk[-1], now))
            outbox.later(session, events)
            result.notified += len(events)
            dates = review_dates(live, plan)
            changed = [(entity_id, day) for entity_id, day in
                       ((entity_id, next_review(policy, ctx, facts[entity_id], dates.get(entity_id, ())))
                        for entity_id in entities) if day != entities[entity_id].next_review_on]
            set_next_review(session, [(e, day) for e, day in changed if not entities[e].reviewed],
                            [(e, day) for e, day in changed if entities[e].reviewed])
            result.entities += len(entities)
            result.next_review_changed += len(changed)
    log.info("audits.sweep now=%s entities=%s licences_expired=%s created=%s updated=%s cancelled=%s woken=%s "
             "next_review_changed=%s notified=%s", now, result.entities, result.licences_expired, result.created,
             result.updated, result.cancelled, result.woken, result.next_review_changed, result.notified)
    return result


def record_licence_expiries(session, now):
    """Record once, in each licence's status history, that an in-force licence past its valid_until expired the
    day after (a system transition: no user). Returns how many."""
    licences = Licence.__table__
    lapsing = session.execute(select(licences.c.id, licences.c.status, licences.c.status_raw)
                              .where(licences.c.status.in_(IN_FORCE), licences.c.valid_until < now)).all()
    expired = session.execute(
        update(licences).where(licences.c.status.in_(IN_FORCE), licences.c.valid_until < now)
        .values(status="expired", status_raw=None, version=licences.c.version + 1)
        .returning(licences.c.id, licences.c.entity_id, licences.c.valid_until)).all()
    if not expired:
        return 0
    at = utcnow()
    insert_rows(session, LicenceStatusChange.__table__, [
        {"licence_id": row.id, "status": "expired", "status_raw": None,
         "effective_on": row.valid_until + timedelta(days=1), "reason": "expired", "reason_public": True,
         "recorded_at": at, "recorded_by_user_id": None}
        for row in expired])
    # The events an ORM update would log: the fields that changed, before and after (the UPDATE above changed
    # exactly the rows `lapsing` read, in this transaction).
    was = {row.id: row for row in lapsing}
    changed = []
    for row in expired:
        before = {"status": was[row.id].status}
        if was[row.id].status_raw is not None:
            before["status_raw"] = was[row.id].status_raw
        changed.append((row.id, before, {key: "expired" if key == "status" else None for key in before}))
    effects.later(session, "audit", audit.updated(audit.acting(session), Licence, changed))
    # As the sweep commits, every process's listing reloads these entities. They are scored again now, not at
    # commit: the tasks this sweep then makes read their new tiers, so the next sweep has nothing left to add.
    entity_ids = {row.entity_id for row in expired}
    effects.later(session, "stamp", entity_ids)
    rescoring.score_now(session, entity_ids, reason="licence expired")
    ids = {row.id for row in expired}
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Licence) and obj.id in ids:
            session.expire(obj)  # the session's copy is stale: it would be saved over the new version
    return len(expired)


def wake_snoozed(session, now):
    """Snoozed tasks whose snooze ended are open again."""
    tasks = ReviewTask.__table__
    return session.execute(update(tasks).where(tasks.c.state == "snoozed", tasks.c.snoozed_until <= now)
                           .values(state="open", version=tasks.c.version + 1, updated_at=utcnow())).rowcount


def apply(session, plan, result):
    """Write a reconciliation plan: cancellations first (they free the live slot a new task may take)."""
    tasks = ReviewTask.__table__
    now = utcnow()
    events = []
    if plan.cancels:
        cancelled = session.execute(
            update(tasks).where(tasks.c.id.in_(plan.cancels), tasks.c.state.in_(("open", "snoozed")))
            .values(state="cancelled", closed_at=now, closed_by_sweep=True, close_note="no longer due",
                    version=tasks.c.version + 1, updated_at=now).returning(tasks.c.id)).scalars().all()
        result.cancelled += len(cancelled)
        events += [(task_id, None, {"state": "cancelled", "close_note": "no longer due"}) for task_id in cancelled]
    if plan.updates:
        session.execute(update(tasks).where(tasks.c.id == bindparam("task_id"))
                        .values(due_on=bindparam("new_due_on"), trigger_key=bindparam("new_key"),
                                explanation=bindparam("new_explanation"), version=tasks.c.version + 1,
                                updated_at=now),
                        [{"task_id": task_id, "new_due_on": w.due_on, "new_key": w.key,
                          "new_explanation": w.explanation} for task_id, w in plan.updates])
        result.updated += len(plan.updates)
        events += [(task_id, None, {"due_on": w.due_on.isoformat(), "trigger_key": w.key})
                   for task_id, w in plan.updates]
    rows = [{"id": task_id, "entity_id": w.entity_id, "reason": w.reason, "organisation_id": w.organisation_id,
             "trigger_key": w.key, "due_on": w.due_on, "state": "open", "explanation": w.explanation,
             "closed_by_sweep": False, "created_at": now, "updated_at": now, "version": 1}
            for task_id, w in zip(reserve_ids(session, tasks, len(plan.inserts)), plan.inserts)]
    insert_rows(session, tasks, rows)
    result.created += len(plan.inserts)
    # The same audit events as tasks changed one by one (written as the sweep commits).
    acting = audit.acting(session)
    effects.later(session, "audit", audit.inserted(acting, ReviewTask, rows) + audit.updated(acting, ReviewTask, events))


def review_dates(live, plan):
    """{entity id: [the day each live task asks for attention]} once the plan is written."""
    cancelled, updated = set(plan.cancels), dict(plan.updates)
    dates = {}
    for task in live:
        if task.id not in cancelled:
            due = updated[task.id].due_on if task.id in updated else task.due_on
            day = task.snoozed_until if task.state == "snoozed" and task.snoozed_until else due
            dates.setdefault(task.entity_id, []).append(day)
    for task in plan.inserts:
        dates.setdefault(task.entity_id, []).append(task.due_on)
    return dates


def set_next_review(session, new, changed):
    """Set entities' next review dates: rows for those that have none, and the changed ones updated."""
    insert_rows(session, EntityReview.__table__, [{"entity_id": entity_id, "next_review_on": day}
                                                  for entity_id, day in new])
    if not changed:
        return
    if postgresql(session):
        session.execute(text("UPDATE entity_reviews SET next_review_on = v.day FROM unnest(:ids, :days) AS v(id, day) "
                             "WHERE entity_reviews.entity_id = v.id")
                        .bindparams(bindparam("ids", type_=ARRAY(Integer)), bindparam("days", type_=ARRAY(Date))),
                        {"ids": [entity_id for entity_id, _ in changed], "days": [day for _, day in changed]})
        return
    reviews = EntityReview.__table__
    session.execute(update(reviews).where(reviews.c.entity_id == bindparam("id"))
                    .values(next_review_on=bindparam("day")), [{"id": e, "day": day} for e, day in changed])
