"""Review tasks as people work them: an organisation's list, one task, and its state (claim, release, snooze,
finish, cancel), each change made from the version read."""
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.accounts import permissions
from app.audits.reconcile import LIVE_STATES, STATES
from app.audits.tasks_models import ReviewTask
from app.db import utcnow
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.registry.models import Entity

# From each live state, the states people may move a task to (done and cancelled are final: the policy makes a
# new task when its reason comes back).
MOVES = {"open": ("claimed", "snoozed", "done", "cancelled"),
         "claimed": ("open", "snoozed", "done", "cancelled"),
         "snoozed": ("open", "claimed", "snoozed", "done", "cancelled")}


def list_tasks(session, actor, *, state=None, reason=None, due_before=None, organisation_id=None, page=1,
               per_page=50):
    """A page of an organisation's tasks on live entities, the earliest due first, and how many there are:
    by default the actor's organisation's live ones (open, claimed, snoozed)."""
    organisation_id = organisation_id or actor.organisation_id
    if organisation_id != actor.organisation_id and not permissions.platform_staff(actor):
        raise Forbidden("You read your own organisation's tasks only (platform admins and analysts read anyone's).")
    query = (select(ReviewTask).join(Entity, Entity.id == ReviewTask.entity_id)
             .where(ReviewTask.organisation_id == organisation_id, Entity.deleted_at.is_(None)))
    query = query.where(ReviewTask.state == state) if state else query.where(ReviewTask.state.in_(LIVE_STATES))
    if reason:
        query = query.where(ReviewTask.reason == reason)
    if due_before:
        query = query.where(ReviewTask.due_on < due_before)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.options(joinedload(ReviewTask.entity)).order_by(ReviewTask.due_on, ReviewTask.id)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total


def get_task(session, actor, task_id):
    """One task the actor may read (another organisation's task is not found)."""
    task = session.get(ReviewTask, task_id)
    if task is None or task.entity.deleted_at is not None:
        raise NotFound(f"No review task with id {task_id}.")
    permissions.check(actor, "task.read", task, hide=True, what=f"review task with id {task_id}")
    return task


def change_state(session, actor, task_id, data, now=None):
    """Move a task to another state from the version the actor read (stale: 409); `now` is when (UTC)."""
    now = now or utcnow()
    task = get_task(session, actor, task_id)
    permissions.check(actor, "task.work", task, what="Working on this review task")
    wanted = data["state"]
    if data["version"] != task.version:
        raise Conflict(f"This task changed since you read it (you sent version {data['version']}, it is now "
                       f"{task.version}); read it again.", {"version": ["stale"]})
    if task.state not in MOVES:
        raise Conflict(f"Task {task_id} is {task.state}: closed tasks stay closed (the policy makes a new task when "
                       "its reason comes back).", {"state": [f"the task is {task.state}"]})
    if wanted not in MOVES[task.state]:
        raise Conflict(f"Task {task_id} is {task.state} already.", {"state": [f"the task is {task.state}"]})
    if task.state == "claimed" and task.claimed_by_user_id != actor.user_id and actor.role != "admin":
        raise Conflict(f"Task {task_id} is claimed by someone else; they or an admin of your organisation can "
                       "release it.", {"state": ["claimed by another user"]})
    check_details(wanted, data, now.date())
    task.state = wanted
    task.claimed_by_user_id, task.claimed_at = (actor.user_id, now) if wanted == "claimed" else (None, None)
    task.snoozed_until, task.snooze_reason = ((data["until"], data["reason"].strip()) if wanted == "snoozed"
                                              else (None, None))
    if wanted in ("done", "cancelled"):
        task.closed_at, task.closed_by_user_id = now, actor.user_id
        task.close_note = (data.get("note") or "").strip() or None
    session.flush()
    return task


def moves_for(actor, task):
    """The states the actor may move a task to: none without task.work on it, none on a task another user claimed
    (unless the actor is an admin), as change_state decides."""
    if task.state not in MOVES or not permissions.allowed(actor, "task.work", task):
        return ()
    if task.state == "claimed" and task.claimed_by_user_id != actor.user_id and actor.role != "admin":
        return ()
    return MOVES[task.state]


def check_details(state, data, today: date):
    """What each state needs: a snooze a reason and a day after today, a cancellation a note."""
    errors = {}
    if state == "snoozed":
        if not (data.get("reason") or "").strip():
            errors["reason"] = ["Say why the task waits."]
        if data.get("until") is None:
            errors["until"] = ["Say until when the task waits (a date after today)."]
        elif data["until"] <= today:
            errors["until"] = [f"{data['until']} is not after today ({today})."]
    elif data.get("until") is not None or data.get("reason") is not None:
        errors.update({key: ["Only a snooze takes this."] for key in ("until", "reason") if data.get(key) is not None})
    if state == "cancelled" and not (data.get("note") or "").strip():
        errors["note"] = ["Say in a note why the task is not needed."]
    if errors:
        raise Invalid(f"The task cannot be {state} like this.", errors)


assert set(MOVES) == set(STATES) - {"done", "cancelled"}
