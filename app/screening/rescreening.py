"""Screening when the registry changes: a new entity, a new or changed name, identifier or person.

Like scoring, screening listens to the registry: the entities whose screened names a flush changed are noted
and screened just before the transaction commits, in that same transaction (and before they are re-scored,
since a screening changes the watchlist fact).
"""
from sqlalchemy import event, inspect

from app import db
from app.registry.models import Alias, Entity, Identifier, Licence, Role

NAMED = (Alias, Identifier, Role, Licence)
# Each app's SCREENING_THRESHOLD by its engine's URL: registry writes may commit outside an app context.
THRESHOLDS = {}


def changed_entities(session):
    """Entities whose names, identifiers or people this flush changed."""
    found = set()
    for obj in session.new | session.dirty | session.deleted:
        if isinstance(obj, Entity):
            if obj in session.new or inspect(obj).attrs.legal_name.history.has_changes():
                found.add(obj.id)
        elif isinstance(obj, NAMED):
            found.add(obj.entity_id)
    return found - {None}


def on_after_flush(session, flush_context):
    changed = changed_entities(session)
    if changed:
        session.info.setdefault("rescreen", set()).update(changed)


def on_before_commit(session):
    from app.screening import screen  # noqa: PLC0415 (screen imports the registry; this module loads early)
    pending = session.info.pop("rescreen", set())
    if not pending or not screen.lists_loaded(session):
        return
    # One batch for them all; deleted entities are skipped by screen_entities.
    screen.screen_entities(session, pending, threshold=THRESHOLDS[str(session.get_bind().engine.url)],
                           reason="registry changed")


def on_rollback(session):
    session.info.pop("rescreen", None)


def init_app(app):
    """Listen to the app's sessions (once per process), ahead of re-scoring."""
    THRESHOLDS[str(app.extensions["engine"].url)] = app.config["SCREENING_THRESHOLD"]
    factory = db.Session.session_factory
    if not event.contains(factory, "after_flush", on_after_flush):
        event.listen(factory, "after_flush", on_after_flush)
        event.listen(factory, "before_commit", on_before_commit, insert=True)
        event.listen(factory, "after_rollback", on_rollback)
