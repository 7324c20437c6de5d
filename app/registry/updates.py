"""Registered entities brought in line with an imported record: lists only grow, a status change is recorded."""
from app.db import utcnow
from app.registry import expiry
from app.registry.models import (Address, Alias, EntitySector, Identifier, LicenceDestination, LicenceSector,
                                 LicenceStatusChange, Person, Role)
from app.registry.names import licence_key, name_key
from app.registry.reimport import LICENCE_FIELDS
from app.registry.service import add_licence


def update_existing(session, actor, entity, data, today):
    """Bring an existing entity in line with an imported record (lists only grow); True if anything changed."""
    changed = False
    if data["legal_name"] != entity.legal_name and name_key(data["legal_name"]) != entity.name_key:
        # A renamed agency keeps its old name as a former name: banned agencies come back under new names.
        entity.aliases.append(Alias(name=entity.legal_name, name_key=entity.name_key, kind="former"))
        entity.legal_name, entity.name_key = data["legal_name"], name_key(data["legal_name"])
        changed = True
    for field in ("website", "certification_status"):
        if data.get(field) is not None and data[field] != getattr(entity, field):
            setattr(entity, field, data[field])
            changed = True
    names = {a.name_key for a in entity.aliases} | {entity.name_key}
    for alias in data["aliases"]:
        if name_key(alias["name"]) not in names:
            entity.aliases.append(Alias(name=alias["name"], name_key=name_key(alias["name"]), kind=alias["kind"]))
            names.add(name_key(alias["name"]))
            changed = True
    identifiers = {(i.scheme, i.value) for i in entity.identifiers}
    for identifier in data["identifiers"]:
        if (identifier["scheme"], identifier["value"]) not in identifiers:
            entity.identifiers.append(Identifier(**identifier))
            identifiers.add((identifier["scheme"], identifier["value"]))
            changed = True
    sectors = {s.sector for s in entity.sectors}
    for sector in dict.fromkeys(data["sectors"]):
        if sector not in sectors:
            entity.sectors.append(EntitySector(sector=sector))
            changed = True
    addresses = {(a.line, a.city, a.country) for a in entity.addresses}
    for address in data["addresses"]:
        if (address["line"], address.get("city"), address["country"]) not in addresses:
            entity.addresses.append(Address(**address))
            changed = True
    people = {(r.person.name_key, r.role): r.person for r in entity.roles}
    persons = {key[0]: person for key, person in people.items()}
    for person in data["people"]:
        key = (name_key(person["name"]), person["role"])
        if key not in people:
            known = persons.get(key[0]) or Person(name=person["name"], name_key=key[0],
                                                  nationality=person.get("nationality"))
            entity.roles.append(Role(person=known, role=person["role"], since=person.get("since"),
                                     until=person.get("until")))
            people[key] = persons[key[0]] = known
            changed = True
    for licence in data["licences"]:
        changed |= merge_licence(session, actor, entity, licence, today)
    if changed:
        entity.updated_at = utcnow()
    return changed


def merge_licence(session, actor, entity, data, today):
    """Add a licence or update one the entity holds; a status change is appended to its history.

    A status equal to the one the licence reads as on `today` is no change: an export re-imported after a
    licence lapsed says `expired`, and the recorded status stays as the authority set it.
    """
    key = licence_key(data["number"])
    licence = next((lic for lic in entity.licences
                    if lic.authority.code == data["authority"] and lic.number_key == key), None)
    if licence is None:
        add_licence(session, actor, entity, data)
        return True
    changed = False
    old_status = licence.status
    if data.get("status") == expiry.effective_status(licence.status, licence.valid_until, today):
        data = {**data, "status": licence.status}
    for field in LICENCE_FIELDS:
        if data.get(field) is not None and data[field] != getattr(licence, field):
            setattr(licence, field, data[field])
            changed = True
    if licence.status != old_status:
        session.add(LicenceStatusChange(licence_id=licence.id, status=licence.status, status_raw=licence.status_raw,
                                        reason="import", recorded_by_user_id=actor.user_id if actor else None))
    destinations = {d.country for d in licence.destinations}
    for country in data.get("destinations", []):
        if country not in destinations:
            licence.destinations.append(LicenceDestination(country=country))
            destinations.add(country)
            changed = True
    sectors = {s.sector for s in licence.sectors}
    for sector in data.get("sectors", []):
        if sector not in sectors:
            licence.sectors.append(LicenceSector(sector=sector))
            sectors.add(sector)
            changed = True
    return changed
