"""New entities of an import, and everything they carry, written with bulk inserts."""
from app import effects
from app.accounts import audit, permissions
from app.bulk import CHUNK, chunks, insert_rows, reserve_ids
from app.db import utcnow
from app.progress import silent
from app.registry.models import (Address, Alias, Entity, EntitySector, Identifier, Licence, LicenceDestination,
                                 LicenceSector, LicenceStatusChange, Person, Role)
from app.registry.names import licence_key, name_key
from app.registry.service import authorities_by_code


def insert_new(session, actor, plans, progress=silent):
    """Insert new entities and everything they carry with bulk inserts; the commit's pipeline then screens,
    scores, stamps and audits them as it does entities created one by one (app/pipeline.py).

    Every id is reserved first, so no insert needs RETURNING (which costs one statement per row on SQLite).
    """
    if not plans:
        return
    now = utcnow()
    authorities = {code: authority.id for code, authority in authorities_by_code(session).items()}
    entity_ids = reserve_ids(session, Entity.__table__, len(plans))
    person_ids = iter(reserve_ids(session, Person.__table__, sum(len(people_of(p.data)) for p in plans)))
    licence_ids = iter(reserve_ids(session, Licence.__table__, sum(len(p.data["licences"]) for p in plans)))
    acting = audit.acting(session)
    registrant = actor.organisation_id if actor else None
    certifier = registrant if actor and actor.organisation_kind == permissions.CERTIFIER else None
    progress("adding new entities", 0, len(plans))
    for number, (chunk, ids) in enumerate(zip(chunks(plans), chunks(entity_ids))):
        entities = [
            {"id": entity_id, "kind": p.data["kind"], "legal_name": p.data["legal_name"], "name_key": p.key[2],
             "country": p.data["country"], "website": p.data.get("website"),
             "certification_status": p.data.get("certification_status"), "created_at": now,
             "updated_at": now, "version": 1, "generation": 0, "registered_by_organisation_id": registrant,
             "certified_by_organisation_id": certifier if p.data.get("certification_status") else None}
            for entity_id, p in zip(ids, chunk)]
        insert_rows(session, Entity.__table__, entities)
        events = audit.inserted(acting, Entity, entities)
        for model, rows in owned_rows(chunk, ids, person_ids, licence_ids, authorities, now,
                                      actor.user_id if actor else None):
            if getattr(model, "__audited__", None):
                if "id" not in rows[0]:
                    for row, row_id in zip(rows, reserve_ids(session, model.__table__, len(rows))):
                        row["id"] = row_id
                events += audit.inserted(acting, model, rows)
            insert_rows(session, model.__table__, rows)
        effects.written(session, ids)
        effects.later(session, "audit", events)
        progress("adding new entities", number * CHUNK + len(chunk), len(plans))


def people_of(data):
    """The distinct people of a record, by folded name and nationality, with their roles."""
    people = {}
    for person in data["people"]:
        people.setdefault((name_key(person["name"]), person.get("nationality")), []).append(person)
    return people


def owned_rows(chunk, ids, person_ids, licence_ids, authorities, now, recorded_by):
    """(model, rows) for everything the new entities carry, parents before children."""
    rows = {model: [] for model in (Alias, Identifier, Address, EntitySector, Person, Role, Licence,
                                    LicenceDestination, LicenceSector, LicenceStatusChange)}
    for entity_id, plan in zip(ids, chunk):
        data = plan.data
        rows[Alias] += [{"entity_id": entity_id, "name": a["name"], "name_key": name_key(a["name"]),
                         "kind": a["kind"]} for a in data["aliases"]]
        rows[Identifier] += [{"entity_id": entity_id, **i} for i in data["identifiers"]]
        rows[Address] += [{"entity_id": entity_id, "city": None, **a} for a in data["addresses"]]
        rows[EntitySector] += [{"entity_id": entity_id, "sector": s} for s in dict.fromkeys(data["sectors"])]
        for (key, nationality), roles in people_of(data).items():
            person_id = next(person_ids)
            rows[Person].append({"id": person_id, "name": roles[0]["name"], "name_key": key,
                                 "nationality": nationality})
            rows[Role] += [{"entity_id": entity_id, "person_id": person_id, "role": r["role"],
                            "since": r.get("since"), "until": r.get("until")} for r in roles]
        for licence in data["licences"]:
            licence_id = next(licence_ids)
            rows[Licence].append({
                "id": licence_id, "entity_id": entity_id, "authority_id": authorities[licence["authority"]],
                "number": licence["number"].strip(), "number_key": licence_key(licence["number"]),
                "type": licence["type"], "status": licence["status"], "status_raw": licence.get("status_raw"),
                "valid_from": licence.get("valid_from"), "valid_until": licence.get("valid_until"),
                "conditions": licence.get("conditions"), "created_at": now, "version": 1})
            rows[LicenceDestination] += [{"licence_id": licence_id, "country": c}
                                         for c in dict.fromkeys(licence["destinations"])]
            rows[LicenceSector] += [{"licence_id": licence_id, "sector": s} for s in dict.fromkeys(licence["sectors"])]
            rows[LicenceStatusChange].append({
                "licence_id": licence_id, "status": licence["status"], "status_raw": licence.get("status_raw"),
                "effective_on": licence.get("valid_from"), "reason": "import", "recorded_at": now,
                "recorded_by_user_id": recorded_by})
    return [(model, batch) for model, batch in rows.items() if batch]
