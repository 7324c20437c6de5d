"""Screening when the registry changes: a new entity, a new or changed name, identifier or person.

Like scoring, screening follows the registry: the entities whose screened names a flush changed are noted and
screened together by the commit's screening phase (app/pipeline.py), in that same transaction and before the
scoring phase, since a screening changes the watchlist fact.
"""
from sqlalchemy import inspect

from app.registry.models import Alias, Entity, Identifier, Licence, Role

NAMED = (Alias, Identifier, Role, Licence)
# Each app's SCREENING_THRESHOLD by its engine's URL: registry writes may commit outside an app context.
THRESHOLDS = {}


def changed_entities(session):
    """Entities whose names, identifiers or people this flush changed (the screening phase's items)."""
    found = set()
    for obj in session.new | session.dirty | session.deleted:
        if isinstance(obj, Entity):
            if obj in session.new or inspect(obj).attrs.legal_name.history.has_changes():
                found.add(obj.id)
        elif isinstance(obj, NAMED):
            found.add(obj.entity_id)
    return found - {None}


def screen(session, entity_ids):
    """The screening phase: screen these entities in one batch (once a watchlist is loaded)."""
    from app.screening import screen as screening  # noqa: PLC0415 (screen imports the registry; loads early)
    if not screening.lists_loaded(session):
        return
    # Deleted entities are skipped by screen_entities.
    screening.screen_entities(session, set(entity_ids), threshold=THRESHOLDS[str(session.get_bind().engine.url)],
                              reason="registry changed")


def init_app(app):
    """Remember the app's screening threshold."""
    THRESHOLDS[str(app.extensions["engine"].url)] = app.config["SCREENING_THRESHOLD"]
