"""Bulk import of agencies and employers: validate every row first, then write in one transaction."""
from dataclasses import asdict, dataclass

from marshmallow import ValidationError
from sqlalchemy import func, select, true
from sqlalchemy.orm import selectinload

from app.accounts import permissions
from app.bulk import LOOKUP, any_of, chunks, paused_gc, plain_rows, refresh_statistics
from app.errors import Invalid, flatten
from app.progress import counted, silent
from app.registry import columns, expiry, inserts, reimport, tables, updates
from app.registry.models import (Address, Alias, Entity, EntitySector, Identifier, Licence, LicenceDestination,
                                 LicenceSector, LicenceStatusChange, Person, Role)
from app.registry.names import licence_key, name_key
from app.registry.reimport import LICENCE_FIELDS
from app.registry.schemas import EntityImportSchema
from app.registry.service import authorities_by_code

# Imports creating this many entities refresh the planner's statistics of the tables they filled.
ANALYZE_AFTER = 5000
# A file with at least this share of the registered entities' count in rows reads whole key tables (whole_tables).
WHOLE_TABLE = 0.5


@dataclass
class Problem:
    row: int
    column: str
    message: str


class ImportRejected(Invalid):
    """The file has bad rows; nothing was written. `problems` lists every one."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__(f"The file was not imported: {len(problems)} problem(s) in "
                         f"{len({p.row for p in problems})} row(s); nothing was written.",
                         {f"row {p.row}, {p.column}": [p.message] for p in problems})


@dataclass
class Planned:
    """One valid row: what it says, and the existing entity it updates (None: a new one)."""

    row: int
    data: dict
    key: tuple
    entity_id: int | None = None


def import_file(session, actor, data, *, fmt, default_kind="agency", skip_invalid=False, today=None,
                keep_existing=False, progress=silent):
    """Import a CSV, JSON or XLSX registry file; returns the report or raises ImportRejected.

    today: the day registered licences' statuses are read on (expiry.today() by default): a row saying
    `expired` for a licence that lapsed since is no change.
    keep_existing: rows matching a registered entity, or a withdrawn one, leave it exactly as it is (counted
    unchanged).
    progress: called as the rows are checked, matched and written (app/progress.py).
    """
    with paused_gc():
        return import_rows(session, actor, data, fmt, default_kind, skip_invalid, today or expiry.today(),
                           keep_existing, progress)


def import_rows(session, actor, data, fmt, default_kind, skip_invalid, today, keep_existing=False,
                progress=silent):
    """The import itself (see import_file)."""
    rows = tables.read_rows(data, fmt)
    if not rows:
        raise Invalid("The file has no rows to import.", {"file": ["no rows"]})
    planned, problems = validate_rows(rows, fmt, default_kind, progress)
    resolve(session, actor, planned, problems, today, include_deleted=keep_existing, progress=progress)
    bad_rows = {p.row for p in problems}
    if problems and not skip_invalid:
        raise ImportRejected(problems)
    planned = [p for p in planned if p.row not in bad_rows]
    refused = []
    created, updated, unchanged = write(session, actor, planned, today, refused, keep_existing, progress)
    if refused and not skip_invalid:
        raise ImportRejected(refused)
    problems += refused
    return {"rows": len(rows), "created": created, "updated": updated, "unchanged": unchanged,
            "skipped": [asdict(p) for p in sorted(problems, key=lambda p: p.row)]}


def validate_rows(rows, fmt, default_kind, progress=silent):
    """Validate each row on its own; problems name the row and the column (or field path for JSON)."""
    schema, checker = EntityImportSchema(), columns.Checker()
    planned, problems = [], []
    for number, raw in counted(rows, progress, "checking rows"):
        if fmt != "json":
            data, cell_problems = columns.validate_row(checker, raw)
            if cell_problems:
                problems += [Problem(number, column, m) for column, messages in cell_problems.items()
                             for m in messages]
                continue
        elif not isinstance(raw, dict):
            problems.append(Problem(number, "record", "Each record must be a JSON object."))
            continue
        else:
            try:
                data = schema.load(raw)
            except ValidationError as err:
                problems += [Problem(number, path, m) for path, messages in flatten(err.messages).items()
                             for m in messages]
                continue
        data["kind"] = data["kind"] or default_kind
        planned.append(Planned(number, data, (data["kind"], data["country"], name_key(data["legal_name"]))))
    return planned, problems


def resolve(session, actor, planned, problems, today, include_deleted=False, progress=silent):
    """Match rows to existing entities by licence, identifier or name; flag clashes and unknown authorities."""
    authorities = authorities_by_code(session)
    licence_owner, identifier_owner, name_owner = existing_keys(session, planned, authorities, today,
                                                                include_deleted)
    licence_column = "licence_authority"
    seen_licences = {}
    for plan in counted(planned, progress, "matching registered entities"):
        entity_ids = set()
        for licence in plan.data["licences"]:
            authority = authorities.get(licence["authority"])
            if authority is None:
                problems.append(Problem(plan.row, licence_column, f"Unknown licensing authority "
                                        f"{licence['authority']!r}; known: {', '.join(sorted(authorities)) or 'none'}."))
                continue
            lkey = (authority.id, licence_key(licence["number"]))
            earlier = seen_licences.setdefault(lkey, plan)
            if earlier is not plan and earlier.key != plan.key:
                problems.append(Problem(plan.row, "licence_number", f"Licence {licence['number']} of "
                                        f"{authority.code} is also given to another entity in row {earlier.row}."))
            if lkey in licence_owner:
                entity_ids.add(licence_owner[lkey][0])
                if licence_owner[lkey][1] != licence["status"] and not manages(actor, authority.id):
                    problems.append(Problem(plan.row, "licence_status", f"Changing the status of {authority.code} "
                                            f"licence {licence['number']} needs a registrar of that authority."))
            elif not manages(actor, authority.id):
                problems.append(Problem(plan.row, "licence_number", f"Recording a new {authority.code} licence "
                                        f"({licence['number']}) needs a registrar of that authority."))
        for identifier in plan.data["identifiers"]:
            owner = identifier_owner.get((identifier["scheme"], identifier["value"]))
            if owner:
                entity_ids.add(owner)
        by_name = name_owner.get(plan.key)
        if len(entity_ids) > 1 or (entity_ids and by_name and by_name not in entity_ids):
            problems.append(Problem(plan.row, "legal_name", "This row's licence, identifiers and name point to "
                                    f"different registered entities ({', '.join(map(str, sorted(entity_ids | {by_name} - {None})))})."))
            continue
        plan.entity_id = next(iter(entity_ids), by_name)
        if plan.entity_id is None and plan.data.get("certification_status") and actor is not None and \
                not permissions.admitted(actor, "entity.certify"):
            problems.append(Problem(plan.row, "certification_status", "Certification status is set by "
                                    f"{permissions.RULES['entity.certify'].who}."))


def manages(actor, authority_id):
    """Whether the actor records licences of this authority (commands run by the operator do)."""
    return actor is None or permissions.manages_authority(actor, authority_id)


def trusted(actor, entity, data):
    """Whether every change the record may bring to this entity is the actor's to make."""
    if actor is None:
        return True
    return (permissions.allowed(actor, "entity.edit", entity)
            and (data.get("certification_status") is None or permissions.allowed(actor, "entity.certify", entity))
            and all(permissions.manages_authority(actor, l.authority_id) for l in entity.licences))


def refusal(actor, entity, data, before):
    """What the actor changed but may not (None if nothing): the profile, the certification or a licence."""
    if not permissions.allowed(actor, "entity.edit", entity) and (
            before["profile"] != profile_of(entity)):
        return Problem(0, "legal_name", f"This row changes the record of {entity.kind} {entity.id}, which is edited "
                       f"by {permissions.RULES['entity.edit'].who}; propose a correction instead.")
    if entity.certification_status != before["certification_status"] and \
            not permissions.allowed(actor, "entity.certify", entity):
        return Problem(0, "certification_status", "Certification status is set by "
                       f"{permissions.RULES['entity.certify'].who}.")
    for licence in entity.licences:
        if licence_of(licence) != before["licences"].get(licence.id) and \
                not permissions.manages_authority(actor, licence.authority_id):
            return Problem(0, "licence_number", f"Changing {licence.authority.code} licence {licence.number} needs a "
                           "registrar of that authority.")
    return None


def profile_of(entity):
    """What a steward's profile edit covers, in a comparable form."""
    return (entity.legal_name, entity.website, len(entity.aliases), len(entity.identifiers), len(entity.sectors),
            len(entity.addresses), len(entity.roles))


def licence_of(licence):
    return tuple(getattr(licence, f) for f in LICENCE_FIELDS) + (len(licence.destinations), len(licence.sectors))


def existing_keys(session, planned, authorities, today, include_deleted=False):
    """Lookups from natural keys (licence, identifier, kind+country+name) to existing entity ids (withdrawn ones
    too when include_deleted; for licences, their status as on `today`).

    Each query filters one indexed column (grouped by the key's other parts) and the rest is checked here; a file
    as large as a good share of the registry reads the key tables whole instead (see whole_tables). Of several
    entities sharing an identifier or a name, the one created last (largest id) is taken, whichever way was read.
    """
    live = true() if include_deleted else Entity.deleted_at.is_(None)
    licence_keys = {(authorities[lic["authority"]].id, licence_key(lic["number"]))
                    for p in planned for lic in p.data["licences"] if lic["authority"] in authorities}
    identifier_keys = {(i["scheme"], i["value"]) for p in planned for i in p.data["identifiers"]}
    name_keys = {p.key for p in planned}
    licences = select(Licence.authority_id, Licence.number_key, Licence.entity_id, Licence.status,
                      Licence.valid_until)
    identifiers = (select(Identifier.scheme, Identifier.value, Identifier.entity_id)
                   .join(Entity, Entity.id == Identifier.entity_id).where(live))
    names = select(Entity.kind, Entity.country, Entity.name_key, Entity.id).where(live)
    if whole_tables(session, len(planned)):
        licence_rows = plain_rows(session, licences.where(
            Licence.authority_id.in_(sorted({authority for authority, _ in licence_keys}))))
        identifier_rows, name_rows = plain_rows(session, identifiers), plain_rows(session, names)
    else:
        licence_rows = [row for authority_id, numbers in grouped(licence_keys) for chunk in chunks(numbers, LOOKUP)
                        for row in plain_rows(session, licences.where(Licence.authority_id == authority_id,
                                                                      any_of(session, Licence.number_key, chunk)))]
        identifier_rows = [row for scheme, values in grouped(identifier_keys) for chunk in chunks(values, LOOKUP)
                           for row in plain_rows(session, identifiers.where(
                               Identifier.scheme == scheme, any_of(session, Identifier.value, chunk)))]
        name_rows = [row for kind, keys in grouped({(kind, key) for kind, _, key in name_keys})
                     for chunk in chunks(keys, LOOKUP)
                     for row in plain_rows(session, names.where(Entity.kind == kind,
                                                                any_of(session, Entity.name_key, chunk)))]
    licence_owner = {(authority_id, number): (entity_id, expiry.effective_status(status, valid_until, today))
                     for authority_id, number, entity_id, status, valid_until in licence_rows
                     if (authority_id, number) in licence_keys}
    identifier_owner, name_owner = {}, {}
    for scheme, value, entity_id in identifier_rows:
        if (scheme, value) in identifier_keys and entity_id > identifier_owner.get((scheme, value), 0):
            identifier_owner[(scheme, value)] = entity_id
    for kind, country, key, entity_id in name_rows:
        if (kind, country, key) in name_keys and entity_id > name_owner.get((kind, country, key), 0):
            name_owner[(kind, country, key)] = entity_id
    return licence_owner, identifier_owner, name_owner


def whole_tables(session, rows):
    """Whether a file of this many rows reads whole key tables rather than looking its keys up: when its rows
    are at least WHOLE_TABLE of the registered entities (a re-import of a registry's export, a first import),
    one unfiltered select per table costs less than lookups that end up reading most of it."""
    return rows >= WHOLE_TABLE * (session.scalar(select(func.count()).select_from(Entity)) or 0)


def grouped(pairs):
    """(first, [seconds]) for a set of pairs, sorted."""
    groups = {}
    for first, second in sorted(pairs):
        groups.setdefault(first, []).append(second)
    return groups.items()


def merge_rows(planned):
    """Rows about the same entity (same target or same natural key) become one record: lists are joined."""
    merged, copied = {}, set()
    for plan in planned:
        target = ("id", plan.entity_id) if plan.entity_id else plan.key
        first = merged.get(target)
        if first is None:
            merged[target] = plan
            continue
        if target not in copied:
            # Copy before the first merge, so the row's own data stays as it was read.
            first = merged[target] = Planned(first.row, {**first.data, **{k: list(first.data[k]) for k in LIST_KEYS}},
                                             first.key, first.entity_id)
            copied.add(target)
        for field in LIST_KEYS:
            first.data[field] += [item for item in plan.data[field] if item not in first.data[field]]
    return list(merged.values())


LIST_KEYS = ("aliases", "identifiers", "addresses", "sectors", "people", "licences")


def write(session, actor, planned, today, refused, keep_existing=False, progress=silent):
    """Update the matched entities (unless keep_existing) and insert the new ones; returns (created, updated,
    unchanged).

    A row bringing changes the actor may not make is undone and added to `refused`."""
    merged = merge_rows(planned)
    existing = [p for p in merged if p.entity_id]
    new = [p for p in merged if not p.entity_id]
    updated = unchanged = 0
    if keep_existing:
        unchanged, existing = len(existing), []
    authority_ids = {code: authority.id for code, authority in authorities_by_code(session).items()}
    # Only the entities whose rows change are loaded as objects and updated; the rest stay as they are. Their
    # stored rows are compared in batches of neighbouring ids (see reimport.among), the updates made in file order.
    changing, done = set(), 0
    for chunk in chunks(sorted(existing, key=lambda plan: plan.entity_id), LOOKUP):
        found = reimport.changing(session, chunk, authority_ids, today)
        changing |= found
        done += len(chunk) - len(found)
        progress("updating registered entities", done, len(existing))
    unchanged += len(existing) - len(changing)
    for chunk in chunks(existing):
        # Loading a batch flushes the batch before it: the same batches and flushes as when each batch was
        # compared and updated in turn.
        ids = {plan.entity_id for plan in chunk if plan.entity_id in changing}
        if not ids:
            continue
        entities = {e.id: e for e in session.scalars(select(Entity).where(any_of(session, Entity.id, ids))
                                                     .options(*ENTITY_LOADS))}
        for plan in chunk:
            entity = entities.get(plan.entity_id)
            if entity is None:
                continue
            if trusted(actor, entity, plan.data):
                changed = updates.update_existing(session, actor, entity, plan.data, today)
            else:
                # Undo the row if it changes what the actor does not steward (lists only grow, so compare sizes).
                before = {"profile": profile_of(entity), "certification_status": entity.certification_status,
                          "licences": {licence.id: licence_of(licence) for licence in entity.licences}}
                savepoint = session.begin_nested()
                changed = updates.update_existing(session, actor, entity, plan.data, today)
                problem = refusal(actor, entity, plan.data, before) if changed else None
                if problem:
                    savepoint.rollback()
                    refused.append(Problem(plan.row, problem.column, problem.message))
                    continue
                savepoint.commit()
            if changed:
                updated += 1
            else:
                unchanged += 1
        done += len(chunk)
        progress("updating registered entities", done, len(existing))
    session.flush()
    inserts.insert_new(session, actor, new, progress)
    if len(new) >= ANALYZE_AFTER:
        # Every table the load filled: lookups by natural key, and joins by entity (an entity's people, read
        # for its full record and its name index, were joined by scanning all 150,000 people without this).
        refresh_statistics(session, [model.__table__ for model in (
            Entity, Alias, Identifier, Address, EntitySector, Person, Role, Licence, LicenceDestination,
            LicenceSector, LicenceStatusChange)])
    return len(new), updated, unchanged


ENTITY_LOADS = (selectinload(Entity.aliases), selectinload(Entity.identifiers), selectinload(Entity.addresses),
                selectinload(Entity.sectors), selectinload(Entity.roles),
                selectinload(Entity.licences).selectinload(Licence.destinations),
                selectinload(Entity.licences).selectinload(Licence.sectors))
