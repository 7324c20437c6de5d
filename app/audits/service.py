"""Audit use cases: plan an audit, move it through its states, record its findings.

An audit is private to the organisation that performed it, the regulators licensing the audited entity and the
platform (app/accounts/permissions.py): to anyone else it does not exist (404). Functions add and flush; the
caller commits. Reporting or closing an audit re-scores the entity in the same transaction.
"""
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.accounts import permissions
from app.accounts.models import Organisation
from app.audits.models import NEXT_STATE, Audit, CorrectiveAction
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.registry import expiry
from app.registry.models import Licence
from app.registry.service import check_version, get_entity
from app.scoring import rescoring
from app.scoring.models import AuditFinding

# Who can have performed an audit: certification bodies, brands with their own auditors, the platform itself.
PERFORMER_KINDS = (permissions.CERTIFIER, permissions.BUSINESS, permissions.PLATFORM)
DAY_OF = {"fieldwork": "fieldwork_started_on", "reported": "reported_on", "closed": "closed_on"}
EDITABLE = ("reference", "kind", "lead_auditor", "scope", "document_review", "management_interviews",
            "worker_interviews", "planned_on", "summary")


def not_in_future(day, field, today):
    """Refuse a day after today: audits record what has happened."""
    if day > today:
        raise Invalid(f"{field} ({day}) is in the future (today is {today}); record what has happened.",
                      {field: [f"after today ({today})"]})


def day_sent(data, field, today=None):
    """The day sent in `field` (default: today), refused when after today."""
    today = today or expiry.today()
    day = data.get(field) or today
    not_in_future(day, field, today)
    return day


def check_reference_free(session, organisation_id, reference, audit_id=None):
    """A performer's references name one audit each."""
    if reference is None:
        return
    taken = session.scalar(select(Audit.id).where(Audit.organisation_id == organisation_id,
                                                  Audit.reference == reference, Audit.id != (audit_id or 0)))
    if taken:
        raise Conflict(f"Your organisation's audit {taken} has the reference {reference!r} already.",
                       {"reference": [f"used by audit {taken}"]})


def performer(session, actor, organisation_id):
    """The organisation an audit is recorded for: the actor's own, or one the platform names."""
    organisation_id = organisation_id or actor.organisation_id
    if organisation_id != actor.organisation_id and not permissions.platform_staff(actor):
        raise Forbidden("You record the audits your own organisation performs; organisation_id names another.",
                        {"organisation_id": ["not your organisation"]})
    organisation = session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None or organisation.kind not in PERFORMER_KINDS:
        raise Invalid("Name the organisation that performed the audit: a certification body or a business.",
                      {"organisation_id": ["not a certification body, business or the platform"
                                           if organisation else "no such organisation"]})
    return organisation


def create_audit(session, actor, entity_id, data):
    """Plan (or start recording) an audit of an entity, in state planned."""
    entity = get_entity(session, entity_id)
    permissions.check(actor, "auditing.record", entity, what="Recording an audit")
    data = dict(data)
    organisation = performer(session, actor, data.pop("organisation_id", None))
    check_reference_free(session, organisation.id, data.get("reference"))
    audit = Audit(entity_id=entity.id, organisation_id=organisation.id, created_by_user_id=actor.user_id, **data)
    session.add(audit)
    session.flush()
    return audit


def get_audit(session, actor, audit_id):
    """An audit the actor may read; any other is NotFound, as if it did not exist."""
    audit = session.get(Audit, audit_id)
    if audit is None or not permissions.allowed(actor, "auditing.read", audit):
        raise NotFound(f"No audit {audit_id}.")
    return audit


def readable(actor):
    """The audits the actor may read, as a query."""
    def licensed_by(authority_ids):
        return Audit.entity_id.in_(select(Licence.entity_id).where(Licence.authority_id.in_(authority_ids)))
    return select(Audit).where(permissions.audits_readable(actor, Audit.organisation_id, licensed_by))


def list_audits(session, actor, *, entity_id=None, state=None, page=1, per_page=50):
    """A page of the audits the actor may read, newest plans first, and how many there are."""
    query = readable(actor)
    if entity_id is not None:
        query = query.where(Audit.entity_id == entity_id)
    if state:
        query = query.where(Audit.state == state)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.options(selectinload(Audit.organisation))
                           .order_by(Audit.planned_on.desc(), Audit.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total


def changeable(session, actor, audit_id, what):
    """An audit the actor may change (404 if unreadable, 403 if only readable)."""
    audit = get_audit(session, actor, audit_id)
    permissions.check(actor, "auditing.change", audit, what=what)
    return audit


def refuse_closed(audit):
    if audit.state == "closed":
        raise Conflict(f"Audit {audit.id} is closed: a closed audit is final.", {"state": ["closed"]})


def update_audit(session, actor, audit_id, data):
    """Change what an audit covers or how it was done; a closed audit is final."""
    audit = changeable(session, actor, audit_id, "Changing this audit")
    check_version(audit, data["version"])
    refuse_closed(audit)
    if data.get("reference") is not None:
        check_reference_free(session, audit.organisation_id, data["reference"], audit.id)
    if "scope" in data:
        outside = sorted({principle for principle, in session.execute(
            select(AuditFinding.principle).where(AuditFinding.audit_id == audit.id))} - set(data["scope"]))
        if outside:
            raise Invalid(f"The audit has findings under principle(s) {', '.join(outside)}: keep them in scope.",
                          {"scope": [f"missing {', '.join(outside)}, which findings are recorded under"]})
    for name in EDITABLE:
        if name in data:
            setattr(audit, name, data[name])
    session.flush()
    return audit


def change_state(session, actor, audit_id, data, today=None):
    """Move an audit to its next state on a day (default today): planned -> fieldwork -> reported -> closed.

    Any other move is 409. Closing needs every corrective action of its findings verified. Reporting and
    closing re-score the entity: reported findings join its evidence.
    """
    audit = changeable(session, actor, audit_id, "Moving this audit on")
    check_version(audit, data["version"])
    target = data["state"]
    if NEXT_STATE.get(audit.state) != target:
        allowed = NEXT_STATE.get(audit.state)
        raise Conflict(f"Audit {audit.id} is {audit.state}: " + (f"its next state is {allowed}, not {target}."
                       if allowed else "a closed audit is final."),
                       {"state": [f"{audit.state} -> {target} is not a step audits take"]})
    day = day_sent(data, "on", today)
    if "fieldwork_ended_on" in data and target != "reported":
        raise Invalid("fieldwork_ended_on goes with state reported.", {"fieldwork_ended_on": ["only when reporting"]})
    previous = {"fieldwork": None, "reported": audit.fieldwork_started_on, "closed": audit.reported_on}[target]
    if previous and day < previous:
        raise Invalid(f"The audit cannot be {target} on {day}, before it was {audit.state} ({previous}).",
                      {"on": [f"before {previous}"]})
    if target == "reported":
        ended = data.get("fieldwork_ended_on") or day
        if ended < audit.fieldwork_started_on or ended > day:
            raise Invalid(f"Fieldwork ends between its start ({audit.fieldwork_started_on}) and the report ({day}).",
                          {"fieldwork_ended_on": [f"{ended} is outside {audit.fieldwork_started_on} to {day}"]})
        audit.fieldwork_ended_on = ended
    if target == "closed":
        waiting = session.scalars(select(CorrectiveAction.id).join(AuditFinding)
                                  .where(AuditFinding.audit_id == audit.id, CorrectiveAction.state != "verified")
                                  .order_by(CorrectiveAction.id)).all()
        if waiting:
            raise Conflict(f"Audit {audit.id} has corrective actions not verified yet: "
                           f"{', '.join(map(str, waiting))}; verify them (or reject and follow up) before closing.",
                           {"state": [f"corrective action {i} is not verified" for i in waiting]})
    setattr(audit, DAY_OF[target], day)
    audit.state = target
    session.flush()
    if target in ("reported", "closed"):
        rescoring.later(session, [audit.entity_id], reason=f"audit {target}")
    return audit


def add_finding(session, actor, audit_id, data, today=None):
    """Record a non-conformity found during an audit's fieldwork, under a principle of its scope."""
    audit = changeable(session, actor, audit_id, "Recording findings of this audit")
    if audit.state != "fieldwork":
        raise Conflict(f"Audit {audit.id} is {audit.state}: findings are recorded during fieldwork.",
                       {"state": [audit.state]})
    if data["principle"] not in audit.scope:
        raise Invalid(f"Principle {data['principle']} is outside the audit's scope ({', '.join(audit.scope)}).",
                      {"principle": [f"not in scope {', '.join(audit.scope)}"]})
    today = today or expiry.today()
    not_in_future(data["found_on"], "found_on", today)
    if data["found_on"] < audit.fieldwork_started_on:
        raise Invalid(f"found_on ({data['found_on']}) is before fieldwork started ({audit.fieldwork_started_on}).",
                      {"found_on": [f"before {audit.fieldwork_started_on}"]})
    # The finding is the performer's, whoever typed it in (a platform admin, say): it closes and plans its actions.
    finding = AuditFinding(entity_id=audit.entity_id, audit_id=audit.id, recorded_by_user_id=actor.user_id,
                           recorded_by_organisation_id=audit.organisation_id, **data)
    session.add(finding)
    session.flush()
    return finding


def list_findings(session, actor, audit_id):
    """An audit's findings with their corrective actions."""
    audit = get_audit(session, actor, audit_id)
    return session.scalars(select(AuditFinding).where(AuditFinding.audit_id == audit.id)
                           .options(selectinload(AuditFinding.corrective_actions)).order_by(AuditFinding.id)).all()
