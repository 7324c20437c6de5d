"""Which registered entities an import changes, told from their stored rows read as plain tuples.

A registry that syncs a daily export re-imports mostly what it holds: comparing plain rows first means only
the entities that change are loaded as objects and updated (updates.update_existing), instead of building
every entity's graph (1.45 million objects for 100,000 agencies) to find that nothing changed. The checks
here mirror update_existing's: an entity is reported as soon as one of its records would add or change a row.
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app.bulk import any_of, plain_rows
from app.registry import expiry
from app.registry.models import (Address, Alias, Entity, EntitySector, Identifier, Licence, LicenceDestination,
                                 LicenceSector, Person, Role)
from app.registry.names import licence_key, name_key

LICENCE_FIELDS = ("type", "status", "status_raw", "valid_from", "valid_until")
# Entity ids spread over at most this many times their count are read as one range (see among).
DENSE = 2


@dataclass
class StoredLicence:
    fields: dict
    destinations: set = field(default_factory=set)
    sectors: set = field(default_factory=set)


@dataclass
class Stored:
    """What an import can change of one entity, as stored."""

    legal_name: str
    name_key: str
    website: str | None
    certification_status: str | None
    names: set = field(default_factory=set)
    identifiers: set = field(default_factory=set)
    sectors: set = field(default_factory=set)
    addresses: set = field(default_factory=set)
    people: set = field(default_factory=set)
    licences: dict = field(default_factory=dict)  # (authority id, number key) -> StoredLicence


def changing(session, plans, authority_ids, today):
    """The ids of the planned entities (plan.entity_id) whose imported record changes what is stored."""
    stored = read_stored(session, plans)
    return {plan.entity_id for plan in plans if changes(stored[plan.entity_id], plan.data, authority_ids, today)}


def read_stored(session, plans):
    """{entity id: Stored} for the planned entities, one query per table, as plain rows (no ORM objects).

    Only what `changes` compares is read: a record without aliases cannot add one, so its entity's aliases
    are not read (and so on for every part). Rows of other entities that a range read brings are skipped."""
    def rows(statement, column, ids):
        """The statement's rows for (at least) these entities."""
        return plain_rows(session, statement.where(among(session, column, ids))) if ids else ()

    def bringing(field):
        """The planned entities whose records bring some of this field."""
        return [plan.entity_id for plan in plans if plan.data[field]]

    planned = {plan.entity_id for plan in plans}
    stored = {entity_id: Stored(*values) for entity_id, *values in rows(
        select(Entity.id, Entity.legal_name, Entity.name_key, Entity.website, Entity.certification_status),
        Entity.id, planned) if entity_id in planned}
    parts = (
        ("names", select(Alias.entity_id, Alias.name_key), Alias.entity_id, "aliases"),
        ("identifiers", select(Identifier.entity_id, Identifier.scheme, Identifier.value), Identifier.entity_id,
         "identifiers"),
        ("sectors", select(EntitySector.entity_id, EntitySector.sector), EntitySector.entity_id, "sectors"),
        ("addresses", select(Address.entity_id, Address.line, Address.city, Address.country), Address.entity_id,
         "addresses"),
        ("people", select(Role.entity_id, Person.name_key, Role.role).join(Person, Person.id == Role.person_id),
         Role.entity_id, "people"),
    )
    for name, statement, column, field in parts:
        for row in rows(statement, column, bringing(field)):
            entity = stored.get(row[0])
            if entity is not None:
                getattr(entity, name).add(row[1] if len(row) == 2 else row[1:])
    licences = {}
    for licence_id, entity_id, authority_id, number, *values in rows(
            select(Licence.id, Licence.entity_id, Licence.authority_id, Licence.number_key,
                   *(getattr(Licence, f) for f in LICENCE_FIELDS)), Licence.entity_id, bringing("licences")):
        if entity_id in stored:
            licences[licence_id] = stored[entity_id].licences[(authority_id, number)] = StoredLicence(
                dict(zip(LICENCE_FIELDS, values)))
    for model, column, name in ((LicenceDestination, LicenceDestination.country, "destinations"),
                                (LicenceSector, LicenceSector.sector, "sectors")):
        for licence_id, value in rows(select(model.licence_id, column).join(Licence, Licence.id == model.licence_id),
                                      Licence.entity_id, [plan.entity_id for plan in plans
                                                          if any(lic.get(name) for lic in plan.data["licences"])]):
            if licence_id in licences:
                getattr(licences[licence_id], name).add(value)
    return stored


def among(session, column, ids):
    """`column IN ids`, or for ids as dense as an export's (most ids between the least and the greatest) the
    whole range between them: one index range read instead of a lookup per id; the caller skips the others."""
    low, high = min(ids), max(ids)
    if high - low < DENSE * len(ids):
        return column.between(low, high)
    return any_of(session, column, ids)


def changes(entity: Stored, data, authority_ids, today: date):
    """Whether importing this record into the entity adds or changes any row (see update_existing)."""
    if data["legal_name"] != entity.legal_name and name_key(data["legal_name"]) != entity.name_key:
        return True
    if any(data.get(f) is not None and data[f] != getattr(entity, f) for f in ("website", "certification_status")):
        return True
    # Whole lists against the stored sets: one set built and compared per part, not a generator per item.
    aliases = {name_key(alias["name"]) for alias in data["aliases"]}
    aliases.discard(entity.name_key)
    return not (aliases <= entity.names
                and {(i["scheme"], i["value"]) for i in data["identifiers"]} <= entity.identifiers
                and entity.sectors.issuperset(data["sectors"])
                and {(a["line"], a.get("city"), a["country"]) for a in data["addresses"]} <= entity.addresses
                and {(name_key(p["name"]), p["role"]) for p in data["people"]} <= entity.people
                and not any(licence_changes(entity.licences.get(stored_key(lic, authority_ids)), lic, today)
                            for lic in data["licences"]))


def stored_key(licence, authority_ids):
    """A licence record's key among an entity's stored licences: (authority id, number key)."""
    return authority_ids.get(licence["authority"]), licence_key(licence["number"])


def licence_changes(stored: StoredLicence | None, data, today):
    """Whether a licence record adds the licence or changes it (see updates.merge_licence)."""
    if stored is None:
        return True
    fields = stored.fields
    if data.get("status") == expiry.effective_status(fields["status"], fields["valid_until"], today):
        data = {**data, "status": fields["status"]}
    return (any(data.get(f) is not None and data[f] != fields[f] for f in LICENCE_FIELDS)
            or not stored.destinations.issuperset(data.get("destinations", ()))
            or not stored.sectors.issuperset(data.get("sectors", ())))
