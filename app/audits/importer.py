"""Bulk import of audits with their findings and corrective actions from CSV, XLSX or JSON.

One row per corrective action (or per finding without actions, or per audit without findings); the audit's
columns are given on its first row and may be repeated (the same value) or left blank on the others. Rows of one
audit share its `reference`; rows of one finding repeat its finding_ columns. The entity is named as in the
evidence import. Every row is checked first; a file with a bad row is rejected whole (with skip_invalid, each
audit with a bad row is left out whole and the others go in). Entities given a reported audit are re-scored.
"""
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from sqlalchemy import select

from app.accounts import permissions
from app.audits.models import ACTION_STATES, KINDS, REPORTED, STATES, Audit, CorrectiveAction
from app.audits.schemas import COUNT, TEXT, Scope
from app.audits.service import performer
from app.errors import Invalid, flatten
from app.registry import expiry, tables
from app.registry.importer import ImportRejected, Problem
from app.registry.models import Entity
from app.schemas import Boolean, Integer, one_of
from app.scoring import rescoring
from app.scoring.catalogue import PRINCIPLES
from app.scoring.importer import REFERENCE, find_entity
from app.scoring.models import AuditFinding

DAYS = ("planned_on", "fieldwork_started_on", "fieldwork_ended_on", "reported_on", "closed_on")
# The day each state needs (and that a state before it must not have).
NEEDS = {"fieldwork_started_on": "fieldwork", "reported_on": "reported", "closed_on": "closed"}


class ScopeCell(Scope):
    """A scope in a table cell: codes separated by ';' or ','."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = [code.strip().upper() for code in value.replace(",", ";").split(";") if code.strip()]
        return super()._deserialize(value, attr, data, **kwargs)


class AuditRow(Schema):
    reference = fields.String(required=True, validate=validate.Length(min=1, max=60))
    kind = fields.String(data_key="audit_kind", required=True, validate=one_of(KINDS))
    state = fields.String(load_default="planned", validate=one_of(STATES))
    lead_auditor = fields.String(validate=validate.Length(min=1, max=200))
    scope = ScopeCell(required=True)
    document_review = Boolean(load_default=False)
    management_interviews = Integer(load_default=0, validate=COUNT)
    worker_interviews = Integer(load_default=0, validate=COUNT)
    planned_on = fields.Date(required=True)
    fieldwork_started_on = fields.Date()
    fieldwork_ended_on = fields.Date()
    reported_on = fields.Date()
    closed_on = fields.Date()
    summary = fields.String(validate=validate.Length(max=10_000))


class FindingRow(Schema):
    principle = fields.String(data_key="finding_principle", required=True, validate=one_of(tuple(PRINCIPLES)))
    grade = fields.String(data_key="finding_grade", required=True, validate=one_of(("major", "minor")))
    description = fields.String(data_key="finding_description", required=True, validate=TEXT)
    found_on = fields.Date(data_key="finding_found_on", required=True)
    status = fields.String(data_key="finding_status", load_default="open", validate=one_of(("open", "closed")))
    closed_on = fields.Date(data_key="finding_closed_on")


class ActionRow(Schema):
    description = fields.String(data_key="action_description", required=True, validate=TEXT)
    owner = fields.String(data_key="action_owner", required=True, validate=validate.Length(min=1, max=200))
    deadline = fields.Date(data_key="action_deadline", required=True)
    state = fields.String(data_key="action_state", load_default="open", validate=one_of(ACTION_STATES))
    completed_on = fields.Date(data_key="action_completed_on")
    completion_evidence = fields.String(data_key="action_evidence", validate=TEXT)
    verified_on = fields.Date(data_key="action_verified_on")


def columns_of(schema):
    return tuple(field.data_key or name for name, field in schema().fields.items())


AUDIT_COLUMNS, FINDING_COLUMNS, ACTION_COLUMNS = columns_of(AuditRow), columns_of(FindingRow), columns_of(ActionRow)
LAYOUT = (REFERENCE + AUDIT_COLUMNS + FINDING_COLUMNS + ACTION_COLUMNS,
          ("reference", "audit_kind", "scope", "planned_on"))


class Plan:
    """One audit of the file: its rows, what they say, and the problems found."""

    def __init__(self, first):
        self.first, self.rows, self.cells = first, [], {}
        self.entity_id = self.audit = None
        self.findings = {}   # finding cells -> (row, finding, [(row, action)])


def import_audits(session, actor, data, *, fmt, organisation_id, skip_invalid=False, today=None):
    """Import audits performed by one organisation; returns the report or raises ImportRejected."""
    organisation = performer(session, actor, organisation_id)
    today = today or expiry.today()
    rows = tables.read_rows(data, fmt, LAYOUT)
    if not rows:
        raise Invalid("The file has no rows to import.", {"file": ["no rows"]})
    plans, problems = group(rows, fmt)
    for plan in plans.values():
        problems += check_plan(session, actor, organisation.id, plan, today)
    if problems and not skip_invalid:
        raise ImportRejected(problems)
    bad = {p.row for p in problems}
    good = [plan for plan in plans.values() if not bad & {number for number, _ in plan.rows}]
    counts = write(session, actor, organisation.id, good)
    return {"rows": len(rows), **counts, "skipped": [vars(p) for p in sorted(problems, key=lambda p: p.row)]}


def given(cells, columns):
    return {column: cells[column] for column in columns if cells.get(column) not in ("", None)}


def group(rows, fmt):
    """{reference: Plan} with each row's cells, the audit's own cells completed from its first row."""
    plans, problems = {}, []
    for number, raw in rows:
        if not isinstance(raw, dict):
            problems.append(Problem(number, "record", "Each record must be a JSON object."))
            continue
        # A row with an unknown field still belongs to its audit, which then is left out whole.
        problems += [Problem(number, name, "Unknown field.") for name in sorted(set(raw) - set(LAYOUT[0]))]
        cells = {k: v.strip() if isinstance(v, str) else v for k, v in raw.items()}
        reference = cells.get("reference")
        if reference in ("", None):
            problems.append(Problem(number, "reference", "Every row names its audit by reference."))
            continue
        plan = plans.setdefault(str(reference), Plan(number))
        shared = REFERENCE + AUDIT_COLUMNS
        if plan.rows:
            for column, value in given(cells, shared).items():
                if value != plan.cells.get(column):
                    problems.append(Problem(number, column, f"{value!r} differs from row {plan.first}, the first "
                                            f"row of audit {reference} ({plan.cells.get(column)!r})."))
            cells = {**cells, **given(plan.cells, shared)}
        else:
            plan.cells = given(cells, shared)
        plan.rows.append((number, cells))
    return plans, problems


def loaded(schema, cells, number, problems):
    """The row's part for the schema, or None after noting its problems by column."""
    try:
        return schema(unknown=EXCLUDE).load(cells)
    except ValidationError as err:
        problems += [Problem(number, path.split("[")[0], message) for path, messages in flatten(err.messages).items()
                     for message in messages]
        return None


def check_plan(session, actor, organisation_id, plan, today):
    """Every problem of one audit: its entity, its columns, its days and states, its findings and actions."""
    problems = []
    first = plan.first
    plan.entity_id, problem = find_entity(session, given(plan.cells, REFERENCE))
    if problem:
        problems.append(Problem(first, *problem))
    elif not permissions.allowed(actor, "auditing.record", session.get(Entity, plan.entity_id)):
        problems.append(Problem(first, "entity_id", "You may not record audits of this entity."))
    audit = plan.audit = loaded(AuditRow, plan.cells, first, problems)
    if audit is None:
        return problems
    taken = session.scalar(select(Audit.id).where(Audit.organisation_id == organisation_id,
                                                  Audit.reference == audit["reference"]))
    if taken:
        problems.append(Problem(first, "reference", f"Your organisation's audit {taken} has this reference already "
                                                    "(imported before?)."))
    problems += check_days(audit, first, today)
    for number, cells in plan.rows:
        finding_cells, action_cells = given(cells, FINDING_COLUMNS), given(cells, ACTION_COLUMNS)
        if not finding_cells:
            if action_cells:
                problems.append(Problem(number, "finding_description", "A corrective action needs its finding "
                                                                       "(the finding_ columns) on the same row."))
            continue
        key = tuple(sorted(finding_cells.items(), key=lambda item: item[0]))
        if key not in plan.findings:
            finding = loaded(FindingRow, finding_cells, number, problems)
            plan.findings[key] = (number, finding, [])
            if finding:
                problems += check_finding(audit, finding, number, today)
        row, finding, actions = plan.findings[key]
        if action_cells:
            action = loaded(ActionRow, action_cells, number, problems)
            if action and finding:
                problems += check_action(audit, finding, action, number, today)
                actions.append((number, action))
    return problems


def check_days(audit, row, today):
    """An audit's days follow its state, each other, and none is after today."""
    problems = []
    state_rank = STATES.index(audit["state"])
    for column, state in NEEDS.items():
        if STATES.index(state) <= state_rank and column not in audit:
            problems.append(Problem(row, column, f"A {audit['state']} audit needs its {column}."))
        if STATES.index(state) > state_rank and column in audit:
            problems.append(Problem(row, column, f"A {audit['state']} audit has no {column} yet."))
    if "fieldwork_ended_on" in audit and state_rank < STATES.index("reported"):
        problems.append(Problem(row, "fieldwork_ended_on", f"A {audit['state']} audit has no fieldwork_ended_on yet."))
    if audit["state"] in REPORTED:
        audit.setdefault("fieldwork_ended_on", audit.get("reported_on"))
    earlier = None
    for column in DAYS[1:]:
        day = audit.get(column)
        if day is None:
            continue
        if day > today:
            problems.append(Problem(row, column, f"{day} is in the future (today is {today})."))
        if earlier and day < audit[earlier]:
            problems.append(Problem(row, column, f"{day} is before {earlier} ({audit[earlier]})."))
        earlier = column
    return problems


def check_finding(audit, finding, row, today):
    problems = []
    if audit["state"] == "planned":
        problems.append(Problem(row, "finding_principle", "A planned audit has no findings yet."))
    if finding["principle"] not in audit["scope"]:
        problems.append(Problem(row, "finding_principle", f"Principle {finding['principle']} is outside the audit's "
                                                          f"scope ({';'.join(audit['scope'])})."))
    start, end = audit.get("fieldwork_started_on"), min(audit.get("fieldwork_ended_on") or today, today)
    if start and not start <= finding["found_on"] <= end:
        problems.append(Problem(row, "finding_found_on", f"{finding['found_on']} is outside the fieldwork "
                                                         f"({start} to {end})."))
    if (finding["status"] == "closed") != ("closed_on" in finding):
        problems.append(Problem(row, "finding_closed_on", "A closed finding has its closing day; an open one none."))
    return problems


def check_action(audit, finding, action, row, today):
    problems = []
    if action["deadline"] < finding["found_on"]:
        problems.append(Problem(row, "action_deadline", f"{action['deadline']} is before the finding was made "
                                                        f"({finding['found_on']})."))
    rank = ACTION_STATES.index(action["state"])
    for column, state, field in (("action_completed_on", "completed", "completed_on"),
                                 ("action_evidence", "completed", "completion_evidence"),
                                 ("action_verified_on", "verified", "verified_on")):
        wanted = rank >= ACTION_STATES.index(state)
        if wanted != (field in action):
            article = "An" if action["state"] == "open" else "A"
            problems.append(Problem(row, column, f"{article} {action['state']} action "
                                    + ("needs" if wanted else "has no") + f" {column}."))
    for column, field in (("action_completed_on", "completed_on"), ("action_verified_on", "verified_on")):
        if field in action and not finding["found_on"] <= action[field] <= today:
            problems.append(Problem(row, column, f"{action[field]} is not between the finding ({finding['found_on']}) "
                                                 f"and today ({today})."))
    if "verified_on" in action and "completed_on" in action and action["verified_on"] < action["completed_on"]:
        problems.append(Problem(row, "action_verified_on", "Verified before it was completed."))
    if audit["state"] == "closed" and action["state"] != "verified":
        problems.append(Problem(row, "action_state", "A closed audit's corrective actions are all verified."))
    return problems


def write(session, actor, organisation_id, plans):
    """Add the audits, their findings and actions; re-score the entities given a reported audit."""
    counts = {"audits": 0, "findings": 0, "actions": 0}
    scored = set()
    for plan in plans:
        audit = Audit(entity_id=plan.entity_id, organisation_id=organisation_id, created_by_user_id=actor.user_id,
                      **plan.audit)
        session.add(audit)
        session.flush()
        counts["audits"] += 1
        for _, finding, actions in plan.findings.values():
            row = AuditFinding(entity_id=plan.entity_id, audit_id=audit.id, source="audit",
                               recorded_by_user_id=actor.user_id, recorded_by_organisation_id=organisation_id,
                               **finding)
            session.add(row)
            session.flush()
            counts["findings"] += 1
            for _, action in actions:
                session.add(CorrectiveAction(finding_id=row.id, created_by_user_id=actor.user_id, **action))
                counts["actions"] += 1
        if audit.state in REPORTED:
            scored.add(plan.entity_id)
    session.flush()
    rescoring.later(session, scored, reason="audits imported")
    return {**counts, "entities": len(scored)}
