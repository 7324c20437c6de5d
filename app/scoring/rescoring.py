"""Scoring when registry facts change: a new entity, a licence's status or dates, a certification status.

Scoring listens to the registry (the registry knows nothing of scoring): the entities whose facts a flush
changed are noted, and scored just before the transaction commits, in that same transaction.
"""
from sqlalchemy import event, inspect

from app import db
from app.registry.models import Entity, Licence, LicenceStatusChange

WATCHED = {Entity: ("certification_status", "deleted_at"), Licence: ("status", "valid_until")}


def changed_entities(session):
    """Entities whose scoring facts this flush changed."""
    found = set()
    for obj in session.new | session.dirty:
        if isinstance(obj, Entity) and obj in session.new:
            found.add(obj.id)  # a new entity gets its first score
        if isinstance(obj, LicenceStatusChange):
            licence = session.get(Licence, obj.licence_id)
            found.add(licence.entity_id if licence else None)
        for model, attributes in WATCHED.items():
            if isinstance(obj, model) and obj not in session.new:
                state = inspect(obj)
                if any(state.attrs[name].history.has_changes() for name in attributes):
                    found.add(obj.id if model is Entity else obj.entity_id)
    return found - {None}


def on_after_flush(session, flush_context):
    changed = changed_entities(session)
    if changed:
        session.info.setdefault("rescore", set()).update(changed)


def later(session, entity_ids):
    """Have these entities re-scored just before the transaction commits (other capabilities' facts changed)."""
    session.info.setdefault("rescore", set()).update(entity_ids)


def scored(session, entity_id):
    """The entity was just scored on every fact flushed so far: it needs no re-scoring at commit."""
    session.info.get("rescore", set()).discard(entity_id)


def cancel(session):
    """Drop the re-scores this transaction asked for (when scoring cannot run, say)."""
    session.info.pop("rescore", None)


def on_before_commit(session):
    from app.scoring import service  # noqa: PLC0415 (service imports the registry; this module loads early)
    pending = session.info.pop("rescore", set())
    for entity_id in sorted(pending):
        entity = session.get(Entity, entity_id)
        if entity is not None and entity.deleted_at is None:
            service.score_entity(session, entity_id, reason="registry facts changed")


def on_rollback(session):
    session.info.pop("rescore", None)


def init_app(app):
    """Listen to the app's sessions (once per process)."""
    factory = db.Session.session_factory
    if not event.contains(factory, "after_flush", on_after_flush):
        event.listen(factory, "after_flush", on_after_flush)
        event.listen(factory, "before_commit", on_before_commit)
        event.listen(factory, "after_rollback", on_rollback)
