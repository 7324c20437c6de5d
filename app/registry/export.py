"""Export of the registry in the same layouts the importer reads, so an export can be imported again.

Licence statuses are exported as they read on the day of the export (app/registry/expiry.py)."""
import csv
import io
import json

from sqlalchemy import select

from app.registry import expiry
from app.registry.importer import ENTITY_LOADS
from app.registry.models import Entity
from app.registry.tables import COLUMNS, neutralised

BATCH = 1000


def entities(session, kind):
    """Live entities of a kind, oldest first, loaded in batches with what they carry."""
    last_id = 0
    while True:
        batch = session.scalars(select(Entity).where(Entity.kind == kind, Entity.deleted_at.is_(None),
                                                     Entity.id > last_id)
                                .order_by(Entity.id).limit(BATCH).options(*ENTITY_LOADS)).all()
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id
        session.expunge_all()


def record(entity, today):
    """An entity as an import record (the JSON layout), its licences' statuses as on `today`."""
    return {
        "kind": entity.kind, "legal_name": entity.legal_name, "country": entity.country, "website": entity.website,
        "certification_status": entity.certification_status,
        "sectors": [s.sector for s in entity.sectors],
        "aliases": [{"name": a.name, "kind": a.kind} for a in entity.aliases],
        "identifiers": [{"scheme": i.scheme, "value": i.value} for i in entity.identifiers],
        "addresses": [{"kind": a.kind, "line": a.line, "city": a.city, "country": a.country}
                      for a in entity.addresses],
        "people": [{"name": r.person.name, "role": r.role, "nationality": r.person.nationality,
                    "since": r.since and r.since.isoformat(), "until": r.until and r.until.isoformat()}
                   for r in entity.roles],
        "licences": [{
            "authority": lic.authority.code, "number": lic.number, "type": lic.type,
            "status": expiry.effective_status(lic.status, lic.valid_until, today),
            "status_raw": lic.status_raw, "valid_from": lic.valid_from and lic.valid_from.isoformat(),
            "valid_until": lic.valid_until and lic.valid_until.isoformat(),
            "destinations": [d.country for d in lic.destinations], "sectors": [s.sector for s in lic.sectors],
            "conditions": lic.conditions} for lic in entity.licences],
    }


def csv_rows(entity, today):
    """An entity as table rows: one per licence (or one without a licence)."""
    data = record(entity, today)
    address = data["addresses"][0] if data["addresses"] else {}
    base = {
        "kind": data["kind"], "legal_name": data["legal_name"], "country": data["country"],
        "aliases": ";".join(a["name"] for a in data["aliases"]),
        "identifiers": ";".join(f"{i['scheme']}:{i['value']}" for i in data["identifiers"]),
        "website": data["website"] or "", "sectors": ";".join(data["sectors"]),
        "certification_status": data["certification_status"] or "",
        "address": address.get("line", ""), "city": address.get("city") or "",
        "people": ";".join(f"{p['name']} ({p['role']})" for p in data["people"]),
    }
    if not data["licences"]:
        return [base]
    return [{**base, "licence_authority": lic["authority"], "licence_number": lic["number"],
             "licence_type": lic["type"], "licence_status": lic["status"], "licence_status_raw": lic["status_raw"] or "",
             "licence_valid_from": lic["valid_from"] or "", "licence_valid_until": lic["valid_until"] or "",
             "licence_destinations": ";".join(lic["destinations"]), "licence_sectors": ";".join(lic["sectors"])}
            for lic in data["licences"]]


def export_csv(session, kind, today=None):
    """Yield the CSV export in pieces (header first); licence statuses as on `today` (by default today)."""
    today = today or expiry.today()
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, restval="", lineterminator="\n")
    writer.writeheader()
    for count, entity in enumerate(entities(session, kind), start=1):
        # Names and other text come from anyone who registers an agency: no cell may run as a formula.
        writer.writerows({column: neutralised(str(cell)) for column, cell in row.items()} for row in csv_rows(entity, today))
        if count % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def export_json(session, kind, today=None):
    """Yield the JSON export (an array of records) in pieces; licence statuses as on `today`."""
    today = today or expiry.today()
    yield "["
    for count, entity in enumerate(entities(session, kind)):
        yield ("," if count else "") + "\n" + json.dumps(record(entity, today), ensure_ascii=False)
    yield "\n]\n"
