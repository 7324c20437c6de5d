"""Corrections proposed to an entity's profile by those who do not steward it, and the stewards' decisions."""
from marshmallow import ValidationError
from sqlalchemy import func, or_, select

from app.accounts import permissions
from app.db import utcnow
from app.errors import Conflict, Invalid, NotFound, invalid_from
from app.registry.models import ChangeRequest, Entity, Licence
from app.registry.schemas import ProposedFieldsSchema
from app.registry.service import PROFILE_FIELDS, get_entity, update_entity

STATES = ("open", "accepted", "rejected")


def propose(session, actor, entity_id, fields, reason):
    """Record a proposed correction of an entity's profile; the proposer's organisation sees the outcome."""
    entity = get_entity(session, entity_id)
    permissions.check(actor, "change.propose", entity, what="Proposing a correction")
    try:
        loaded = ProposedFieldsSchema().load(fields)
    except ValidationError as err:
        raise invalid_from(err, "The proposed fields are not valid.") from None
    if not loaded:
        raise Invalid("Propose at least one field.", {"fields": [f"Give one or more of: {', '.join(PROFILE_FIELDS)}."]})
    change = ChangeRequest(entity_id=entity.id, proposed_by_user_id=actor.user_id,
                           proposed_by_organisation_id=actor.organisation_id,
                           fields={k: fields[k] for k in loaded}, reason=reason, entity_version=entity.version)
    session.add(change)
    session.flush()
    return change


def readable(actor):
    """The change requests the actor may read: its organisation's, and those on entities it stewards."""
    def licensed_by(authority_ids):
        return Entity.id.in_(select(Licence.entity_id).where(Licence.authority_id.in_(authority_ids)))

    own = ChangeRequest.proposed_by_organisation_id == actor.organisation_id
    return (select(ChangeRequest).join(Entity, Entity.id == ChangeRequest.entity_id)
            .where(or_(own, permissions.stewarded(actor, Entity.registered_by_organisation_id,
                                                  licensed_by))))


def list_changes(session, actor, *, state=None, entity_id=None, page=1, per_page=50):
    """A page of the change requests the actor may read, oldest open first, and how many there are."""
    query = readable(actor)
    if state:
        query = query.where(ChangeRequest.state == state)
    if entity_id:
        query = query.where(ChangeRequest.entity_id == entity_id)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(ChangeRequest.id).offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total


def get_change(session, actor, change_id):
    """One change request the actor may read; others are NotFound."""
    change = session.get(ChangeRequest, change_id)
    if change is None or not permissions.allowed(actor, "change.read", change):
        raise NotFound(f"No change request {change_id}.")
    return change


def decide(session, actor, change_id, *, decision, reason=None, version=None):
    """Accept (applied as an ordinary update of the entity, from the entity version sent) or reject a change."""
    change = get_change(session, actor, change_id)
    permissions.check(actor, "change.decide", change.entity, what="Deciding on a change request")
    if change.state != "open":
        raise Conflict(f"Change request {change_id} was {change.state} already.", {"state": [change.state]})
    if decision == "rejected" and not (reason or "").strip():
        raise Invalid("Say why the change is rejected; the proposer reads it.", {"reason": ["required to reject"]})
    if decision == "accepted":
        if version is None:
            raise Invalid("Send the entity's version you read, as for any update.", {"version": ["required"]})
        update_entity(session, actor, change.entity_id, None, {**ProposedFieldsSchema().load(change.fields),
                                                                "version": version})
    change.state, change.decision_reason = decision, (reason or "").strip() or None
    change.decided_by_user_id, change.decided_at = actor.user_id, utcnow()
    session.flush()
    return change
