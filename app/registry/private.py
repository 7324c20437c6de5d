"""What an organisation keeps about an entity for itself: portfolio, notes, evidence."""
from sqlalchemy import select

from app.accounts import permissions
from app.errors import Conflict, NotFound
from app.registry.models import Entity, EvidenceDocument, Note, PortfolioEntry
from app.registry.service import get_entity, referenced_entity


def list_portfolio(session, actor):
    """The entities the actor's organisation follows."""
    return session.scalars(select(PortfolioEntry).join(Entity, Entity.id == PortfolioEntry.entity_id).where(
        PortfolioEntry.organisation_id == actor.organisation_id, Entity.deleted_at.is_(None))
        .order_by(PortfolioEntry.id)).all()


def add_to_portfolio(session, actor, entity_id, label=None):
    """Follow an entity; following it twice is a conflict."""
    referenced_entity(session, entity_id, "entity_id")
    if session.scalar(select(PortfolioEntry.id).where(PortfolioEntry.organisation_id == actor.organisation_id,
                                                      PortfolioEntry.entity_id == entity_id)):
        raise Conflict(f"Entity {entity_id} is in your portfolio already.", {"entity_id": ["already followed"]})
    entry = PortfolioEntry(organisation_id=actor.organisation_id, entity_id=entity_id, label=label,
                           added_by_user_id=actor.user_id)
    session.add(entry)
    session.flush()
    return entry


def remove_from_portfolio(session, actor, entry_id):
    """Stop following an entity."""
    entry = session.get(PortfolioEntry, entry_id)
    if entry is None or not permissions.allowed(actor, "private.write", entry):
        raise NotFound(f"No portfolio entry {entry_id}.")
    session.delete(entry)
    session.flush()


def list_notes(session, actor, entity_id):
    """The actor's organisation's notes on an entity."""
    get_entity(session, entity_id)
    return session.scalars(select(Note).where(Note.entity_id == entity_id,
                                              Note.organisation_id == actor.organisation_id).order_by(Note.id)).all()


def add_note(session, actor, entity_id, body):
    """Write a private note about an entity."""
    get_entity(session, entity_id)
    note = Note(organisation_id=actor.organisation_id, entity_id=entity_id, author_user_id=actor.user_id, body=body)
    session.add(note)
    session.flush()
    return note


def get_note(session, actor, note_id):
    """One of the organisation's notes; another organisation's note is NotFound, as if it did not exist."""
    note = session.get(Note, note_id)
    if note is None or not permissions.allowed(actor, "private.read", note):
        raise NotFound(f"No note {note_id}.")
    return note


def delete_note(session, actor, note_id):
    """Delete one of the organisation's notes."""
    session.delete(get_note(session, actor, note_id))
    session.flush()


def list_evidence(session, actor, entity_id):
    """The actor's organisation's evidence about an entity."""
    get_entity(session, entity_id)
    return session.scalars(select(EvidenceDocument).where(
        EvidenceDocument.entity_id == entity_id, EvidenceDocument.organisation_id == actor.organisation_id)
        .order_by(EvidenceDocument.id)).all()


def add_evidence(session, actor, entity_id, data):
    """Record a piece of evidence about an entity, private to the organisation."""
    get_entity(session, entity_id)
    evidence = EvidenceDocument(organisation_id=actor.organisation_id, entity_id=entity_id,
                                recorded_by_user_id=actor.user_id, **data)
    session.add(evidence)
    session.flush()
    return evidence


def get_evidence(session, actor, evidence_id):
    """One of the organisation's evidence records, or NotFound."""
    evidence = session.get(EvidenceDocument, evidence_id)
    if evidence is None or not permissions.allowed(actor, "private.read", evidence):
        raise NotFound(f"No evidence {evidence_id}.")
    return evidence
