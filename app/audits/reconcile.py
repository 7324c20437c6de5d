"""What a sweep changes (pure): the tasks the policy wants against the live tasks and those people closed.

One live task per entity, reason and owning organisation. A live task is updated when its occurrence is still
wanted with another due date or explanation; a state trigger's open or snoozed task whose occurrence is no longer
wanted is cancelled (a claimed one is left to the person working on it); an event trigger's task stays until
people close it, and the next occurrence waits for that. An occurrence people closed (done, or cancelled by a
person) does not come back.
"""
from dataclasses import dataclass, field

from app.audits.policy import STATE_REASONS

LIVE_STATES = ("open", "claimed", "snoozed")
STATES = (*LIVE_STATES, "done", "cancelled")


@dataclass(frozen=True)
class LiveTask:
    id: int
    entity_id: int
    reason: str
    organisation_id: int
    key: str
    due_on: object
    explanation: dict
    state: str
    snoozed_until: object = None

    @property
    def slot(self):
        return self.entity_id, self.reason, self.organisation_id

    @property
    def review_on(self):
        """The day the task asks for attention: its due date, or the end of its snooze."""
        return self.snoozed_until if self.state == "snoozed" and self.snoozed_until else self.due_on


@dataclass
class Plan:
    inserts: list = field(default_factory=list)    # Wanted
    updates: list = field(default_factory=list)    # (task id, Wanted)
    cancels: list = field(default_factory=list)    # task ids


def slot_of(wanted):
    return wanted.entity_id, wanted.reason, wanted.organisation_id


def reconcile(wanted, live, closed):
    """The plan that brings the live tasks in line with the wanted ones; `closed` holds (entity, reason,
    organisation, key) of occurrences people closed."""
    plan = Plan()
    current = {task.slot: task for task in live}
    by_slot = {}
    for task in wanted:
        slot = slot_of(task)
        if (*slot, task.key) in closed and not (slot in current and current[slot].key == task.key):
            continue
        by_slot.setdefault(slot, []).append(task)
    for slot, tasks in by_slot.items():
        earliest = min(tasks, key=lambda t: (t.due_on, t.key))
        task = current.get(slot)
        if task is None:
            plan.inserts.append(earliest)
            continue
        same = next((t for t in tasks if t.key == task.key), None)
        if same is not None:
            if (same.due_on, same.explanation) != (task.due_on, task.explanation):
                plan.updates.append((task.id, same))
        elif task.reason in STATE_REASONS and task.state in ("open", "snoozed"):
            plan.cancels.append(task.id)
            plan.inserts.append(earliest)
    for slot, task in current.items():
        if slot not in by_slot and task.reason in STATE_REASONS and task.state in ("open", "snoozed"):
            plan.cancels.append(task.id)
    return plan
