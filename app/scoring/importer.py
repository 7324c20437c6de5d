"""Bulk import of evidence (fee lines, practice assessments, audit findings) from CSV, XLSX or JSON.

Each row names its entity by `entity_id`, or by `licence_authority` + `licence_number`, or by `kind` +
`legal_name` + `country`. Every row is checked first; a file with a bad row is rejected whole (or, with
skip_invalid, its good rows go in); the entities touched are re-scored once each.
"""
from marshmallow import ValidationError
from sqlalchemy import select

from app.errors import Invalid, flatten
from app.progress import counted, silent
from app.registry import tables
from app.registry.importer import ImportRejected, Problem
from app.registry.models import Authority, Entity, Licence
from app.registry.names import licence_key, name_key
from app.scoring import rescoring, schemas, service

EVIDENCE = {"fee-lines": schemas.FeeLineSchema, "practices": schemas.PracticeSchema,
            "findings": schemas.FindingSchema}
REFERENCE = ("entity_id", "kind", "legal_name", "country", "licence_authority", "licence_number")


def layout(evidence):
    """(columns, required columns) of a table of this kind of evidence."""
    schema = EVIDENCE[evidence]()
    fields = [name for name, field in schema.fields.items() if not field.dump_only]
    return REFERENCE + tuple(fields), tuple(name for name in fields if schema.fields[name].required)


def import_evidence(session, actor, data, *, fmt, evidence, skip_invalid=False, progress=silent):
    """Import one kind of evidence; returns the report or raises ImportRejected."""
    if evidence not in EVIDENCE:
        raise Invalid(f"Unknown kind of evidence {evidence!r}.", {"type": [f"Must be one of: {', '.join(EVIDENCE)}."]})
    rows = tables.read_rows(data, fmt, layout(evidence))
    if not rows:
        raise Invalid("The file has no rows to import.", {"file": ["no rows"]})
    schema, model = EVIDENCE[evidence](), service.MODELS[evidence]
    planned, problems = [], []
    for number, raw in counted(rows, progress, "checking rows"):
        if not isinstance(raw, dict):
            problems.append(Problem(number, "record", "Each record must be a JSON object."))
            continue
        cells = {k: v for k, v in raw.items() if v not in ("", None)} if fmt != "json" else dict(raw)
        reference = {key: cells.pop(key) for key in REFERENCE if key in cells}
        entity_id, problem = find_entity(session, reference)
        if problem:
            problems.append(Problem(number, problem[0], problem[1]))
        try:
            record = schema.load(cells)
        except ValidationError as err:
            problems += [Problem(number, path, m) for path, messages in flatten(err.messages).items() for m in messages]
            continue
        if entity_id:
            planned.append((number, entity_id, record))
    if problems and not skip_invalid:
        raise ImportRejected(problems)
    bad = {p.row for p in problems}
    touched = set()
    for number, entity_id, record in planned:
        if number not in bad:
            session.add(model(entity_id=entity_id, recorded_by_user_id=actor.user_id,
                              recorded_by_organisation_id=actor.organisation_id, **record))
            touched.add(entity_id)
    # Scored together as the import commits (app/pipeline.py).
    rescoring.later(session, touched, reason=f"{model.__tablename__} imported")
    return {"rows": len(rows), "imported": len([p for p in planned if p[0] not in bad]), "entities": len(touched),
            "skipped": [vars(p) for p in sorted(problems, key=lambda p: p.row)]}


def find_entity(session, reference):
    """(entity id, None) or (None, (column, problem)) for a row's reference to a registered entity."""
    live = Entity.deleted_at.is_(None)
    if reference.get("entity_id") not in (None, ""):
        try:
            wanted = int(reference["entity_id"])
        except (TypeError, ValueError):
            return None, ("entity_id", f"{reference['entity_id']!r} is not a number.")
        found = session.scalar(select(Entity.id).where(Entity.id == wanted, live))
        return (found, None) if found else (None, ("entity_id", f"No registered entity has id {wanted}."))
    if reference.get("licence_number"):
        found = session.scalar(select(Licence.entity_id).join(Authority).join(Entity, Entity.id == Licence.entity_id)
                               .where(Authority.code == str(reference.get("licence_authority", "")).strip(),
                                      Licence.number_key == licence_key(str(reference["licence_number"])), live))
        return (found, None) if found else (None, ("licence_number", f"No {reference.get('licence_authority')} "
                                                   f"licence {reference['licence_number']} is registered."))
    if reference.get("legal_name") and reference.get("country"):
        found = session.scalar(select(Entity.id).where(
            Entity.kind == (reference.get("kind") or "agency"), Entity.country == str(reference["country"]).upper(),
            Entity.name_key == name_key(str(reference["legal_name"])), live))
        return (found, None) if found else (None, ("legal_name", f"No {reference.get('kind') or 'agency'} named "
                                                   f"{reference['legal_name']!r} in {reference['country']}."))
    return None, ("entity_id", "Name the entity: entity_id, or licence_authority and licence_number, "
                               "or legal_name and country.")
