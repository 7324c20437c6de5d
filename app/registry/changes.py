"""The registry's change feed: every transaction that changes an entity raises the registry generation and
stamps the entities it touched, so each process's listing (app/registry/listing.py) can catch up exactly.

Stamping is a phase of the commit (app/pipeline.py), after the heavy ones: the generation row stays locked from
the stamp to the commit, and every other registry writer waits for it."""
from itertools import chain

from sqlalchemy import select, update

from app.bulk import any_of, chunks
from app.registry.models import (Address, Alias, Entity, EntitySector, Identifier, Licence, LicenceDestination,
                                 LicenceSector, LicenceStatusChange, RegistryState, Relationship, Role)

OWNED = (Alias, Identifier, Address, EntitySector, Role, Licence)
LICENCE_PARTS = (LicenceDestination, LicenceSector, LicenceStatusChange)


def next_generation(session):
    """Raise the registry generation; the row stays locked by this transaction until it ends."""
    return session.connection().execute(
        update(RegistryState.__table__).where(RegistryState.id == 1)
        .values(generation=RegistryState.generation + 1).returning(RegistryState.generation)).scalar_one()


def stamp(session, entity_ids):
    """Mark these entities as changed in a new generation (the stamping phase: ids may repeat)."""
    entity_ids = set(entity_ids)
    if not entity_ids:
        return None
    generation = next_generation(session)
    for chunk in chunks(sorted(entity_ids)):
        session.connection().execute(update(Entity.__table__).where(any_of(session, Entity.id, chunk))
                                     .values(generation=generation))
    return generation


def touched_entities(session):
    """The ids of the entities whose rows (or owned rows) this flush wrote (the stamping phase's items)."""
    touched, licence_ids = set(), set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Entity):
            touched.add(obj.id)
        elif isinstance(obj, OWNED):
            touched.add(obj.entity_id)
        elif isinstance(obj, LICENCE_PARTS):
            licence_ids.add(obj.licence_id)
        elif isinstance(obj, Relationship):
            touched.update((obj.client_id, obj.provider_id))
    if licence_ids - {None}:
        touched.update(session.connection().execute(
            select(Licence.entity_id).where(Licence.id.in_(licence_ids - {None}))).scalars())
    return touched - {None}
