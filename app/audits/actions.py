"""Corrective actions: planned for a finding by the auditor, completed with evidence, verified (or rejected
back to open) by the auditor's organisation. A finding whose actions are all verified is closed.

Whoever may read a finding's audit reads its actions (others get 404); a finding recorded outside any audit is
overseen by the organisation that recorded it.
"""
from dataclasses import dataclass

from sqlalchemy import select

from app.accounts import permissions
from app.audits.models import REPORTED, Audit, CorrectiveAction
from app.audits.service import day_sent
from app.errors import Conflict, Invalid, NotFound
from app.registry.models import Entity
from app.registry.service import check_version, referenced_entity
from app.scoring import rescoring
from app.scoring.models import AuditFinding

EDITABLE = ("description", "owner", "owner_entity_id", "deadline")


@dataclass(frozen=True)
class Oversight:
    """Who answers for a finding's actions: the organisation that audited (or recorded the finding), the entity,
    and the audit (None for a finding outside any audit). Permissions read `organisation_id` and `entity`."""

    id: int                      # the audit's id (the finding's, outside any audit), for messages
    organisation_id: int | None
    entity: Entity
    audit: Audit | None


def oversight_of(session, finding):
    if finding.audit_id is not None:
        audit = session.get(Audit, finding.audit_id)
        return Oversight(audit.id, audit.organisation_id, audit.entity, audit)
    return Oversight(finding.id, finding.recorded_by_organisation_id, session.get(Entity, finding.entity_id), None)


def finding_in_view(session, actor, finding_id):
    """(finding, oversight) of a finding whose actions the actor may read, or NotFound."""
    finding = session.get(AuditFinding, finding_id)
    oversight = oversight_of(session, finding) if finding is not None else None
    if oversight is None or not permissions.allowed(actor, "auditing.read", oversight):
        raise NotFound(f"No finding {finding_id} with corrective actions you may see.")
    return finding, oversight


def list_actions(session, actor, finding_id):
    """A finding's corrective actions, oldest first."""
    finding, _ = finding_in_view(session, actor, finding_id)
    return finding.corrective_actions


def get_action(session, actor, action_id):
    """(action, finding, oversight) of an action the actor may read, or NotFound."""
    action = session.get(CorrectiveAction, action_id)
    if action is None:
        raise NotFound(f"No corrective action {action_id}.")
    try:
        finding, oversight = finding_in_view(session, actor, action.finding_id)
    except NotFound:
        raise NotFound(f"No corrective action {action_id}.") from None
    return action, finding, oversight


def counted(oversight):
    """The finding is scoring evidence: outside any audit, or its audit is reported."""
    return oversight.audit is None or oversight.audit.state in REPORTED


def check_open_to_plan(finding, oversight):
    if oversight.audit is not None and oversight.audit.state == "closed":
        raise Conflict(f"Audit {oversight.audit.id} is closed: a closed audit is final.", {"state": ["closed"]})
    if finding.status == "closed":
        raise Conflict(f"Finding {finding.id} is closed; reopen it (PATCH /findings/{finding.id}) to act on it again.",
                       {"status": ["closed"]})


def check_plan(session, finding, values):
    """Refuse an action without an owner, owned by an unknown entity, or due before the finding was made."""
    if not values.get("owner") and not values.get("owner_entity_id"):
        raise Invalid("Name who must act: owner (a name), owner_entity_id (a registered entity), or both.",
                      {"owner": ["missing (or give owner_entity_id)"]})
    if values.get("owner_entity_id"):
        referenced_entity(session, values["owner_entity_id"], "owner_entity_id")
    if values["deadline"] < finding.found_on:
        raise Invalid(f"The deadline ({values['deadline']}) is before the finding was made ({finding.found_on}).",
                      {"deadline": [f"before {finding.found_on}"]})


def plan_action(session, actor, finding_id, data):
    """Give a finding a corrective action: what, who, by when."""
    finding, oversight = finding_in_view(session, actor, finding_id)
    permissions.check(actor, "auditing.change", oversight, what="Planning corrective actions")
    check_open_to_plan(finding, oversight)
    check_plan(session, finding, data)
    action = CorrectiveAction(finding_id=finding.id, created_by_user_id=actor.user_id, **data)
    session.add(action)
    return changed(session, action, finding, oversight)


def update_action(session, actor, action_id, data):
    """Change an open action's description, owner or deadline."""
    action, finding, oversight = get_action(session, actor, action_id)
    permissions.check(actor, "auditing.change", oversight, what="Changing corrective actions")
    check_version(action, data["version"])
    check_open_to_plan(finding, oversight)
    if action.state != "open":
        raise Conflict(f"Corrective action {action.id} is {action.state}: only an open action is re-planned.",
                       {"state": [action.state]})
    changes = {name: data[name] for name in EDITABLE if name in data}
    check_plan(session, finding, {name: changes.get(name, getattr(action, name)) for name in EDITABLE})
    for name, value in changes.items():
        setattr(action, name, value)
    return changed(session, action, finding, oversight)


def changed(session, action, finding, oversight):
    """Flush a changed action; one that counts as scoring evidence re-scores its entity as the change commits."""
    session.flush()
    if counted(oversight):
        rescoring.later(session, [finding.entity_id], reason="corrective action changed")
    return action


def action_to_change(session, actor, action_id, data, action, what, state, only):
    """(action, finding, oversight) of a corrective action the actor may do `action` to, from the version sent,
    in `state` (else 409 saying `only`)."""
    found, finding, oversight = get_action(session, actor, action_id)
    permissions.check(actor, action, oversight, what=what)
    check_version(found, data["version"])
    if found.state != state:
        raise Conflict(f"Corrective action {found.id} is {found.state}: {only}", {"state": [found.state]})
    return found, finding, oversight


def complete_action(session, actor, action_id, data, today=None):
    """Record the evidence that an open action was done; it then waits for the auditor's verification."""
    action, finding, oversight = action_to_change(session, actor, action_id, data, "action.complete",
                                                  "Recording completion of corrective actions", "open",
                                                  "only an open action is completed.")
    day = day_sent(data, "completed_on", today)
    if day < finding.found_on:
        raise Invalid(f"completed_on ({day}) is before the finding was made ({finding.found_on}).",
                      {"completed_on": [f"before {finding.found_on}"]})
    action.state, action.completion_evidence, action.completed_on = "completed", data["evidence"], day
    action.completed_by_user_id = actor.user_id
    return changed(session, action, finding, oversight)


def verify_action(session, actor, action_id, data, today=None):
    """The auditor's verdict on completion evidence: verified (the finding closes once all its actions are), or
    rejected with a note (the action is open again, and overdue if its deadline has passed)."""
    action, finding, oversight = action_to_change(session, actor, action_id, data, "action.verify",
                                                  "Verifying corrective actions", "completed",
                                                  "only completed actions are verified or rejected.")
    day = day_sent(data, "on", today)
    if day < action.completed_on:
        raise Invalid(f"The verdict ({day}) cannot come before completion ({action.completed_on}).",
                      {"on": [f"before {action.completed_on}"]})
    if data["outcome"] == "verified":
        action.state, action.verified_on, action.verified_by_user_id = "verified", day, actor.user_id
        action.verification_note = data.get("note")
        others = session.scalars(select(CorrectiveAction.state).where(CorrectiveAction.finding_id == finding.id,
                                                                      CorrectiveAction.id != action.id))
        if all(state == "verified" for state in others):
            finding.status, finding.closed_on = "closed", day
    else:
        action.state, action.rejected_on, action.rejection_note = "open", day, data["note"]
    return changed(session, action, finding, oversight)


def actions_of_audit(session, audit_id):
    """Every corrective action of an audit's findings."""
    return session.scalars(select(CorrectiveAction).join(AuditFinding)
                           .where(AuditFinding.audit_id == audit_id).order_by(CorrectiveAction.id)).all()
