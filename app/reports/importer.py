"""Bulk import of reports a partner organisation took (CSV, XLSX or JSON), all rows or none.

A table has one report a row, in flat columns (COLUMNS; one fee a row, in the fee_ columns); JSON is an array
of records in the API's shape (POST /reports). Every row is checked first, each problem named by row and column
and never quoting a confidential cell; then every report is stored, each with its own receipt code.
"""
from marshmallow import ValidationError

from app.errors import AppError, flatten
from app.registry import tables
from app.registry.importer import ImportRejected, Problem
from app.reports import intake
from app.reports.schemas import ReportSchema

# column -> path in the API's shape
PATHS = {
    "agency_entity_id": ("agency", "entity_id"), "agency_licence_number": ("agency", "licence_number"),
    "agency_name": ("agency", "name"), "employer_entity_id": ("employer", "entity_id"),
    "employer_name": ("employer", "name"), "origin_country": ("origin_country",),
    "destination_country": ("destination_country",), "period_from": ("period_from",),
    "period_until": ("period_until",), "fee_amount": ("fees", 0, "amount"), "fee_currency": ("fees", 0, "currency"),
    "fee_paid_to": ("fees", 0, "paid_to"), "fee_category": ("fees", 0, "category"),
    "fee_repaid": ("fees", 0, "repaid"), "documents_kept": ("documents_kept",), "contract": ("contract",),
    "wages_withheld": ("wages_withheld",), "deceived": ("deceived",), "threats_or_violence": ("threats_or_violence",),
    "in_debt": ("in_debt",), "account": ("account",), "contact_name": ("contact", "name"),
    "contact_phone": ("contact", "phone"), "contact_email": ("contact", "email"),
    "contact_other": ("contact", "other"), "share_with_regulator": ("consent", "share_with_regulator"),
    "count_in_figures": ("consent", "count_in_figures"), "may_contact": ("consent", "may_contact"),
    "reporter_ref": ("reporter_ref",)}
COLUMNS = tuple(PATHS)


def dotted(path):
    """A path as flatten() writes error places: ("fees", 0, "amount") -> "fees[0].amount"."""
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else key)
    return text


# An error's place -> the column to name (the agency's "name one of them" error, on the agency columns).
BY_PATH = {dotted(path): column for column, path in PATHS.items()}
BY_PATH.update({"agency": "agency_name", "agency._schema": "agency_name", "contact": "may_contact",
                "_schema": "row"})


def record_of(cells):
    """A table row's cells in the API's shape (blank cells left out)."""
    record = {}
    for column, value in cells.items():
        if value in ("", None):
            continue
        place, path = record, PATHS[column]
        for key, following in zip(path, path[1:]):
            if isinstance(key, int):
                while len(place) <= key:
                    place.append({})
                place = place[key]
            else:
                place = place.setdefault(key, [] if isinstance(following, int) else {})
        place[path[-1]] = value
    return record


def import_reports(session, keyring, actor, data, *, fmt, limits=(0, 0)):
    """Check every row, then file every report for the actor's organisation; returns the receipts."""
    tabular = fmt != "json"
    rows = tables.read_rows(data, fmt, (COLUMNS, ()))
    if not rows:
        raise AppError("The file has no rows to import.", {"file": ["no rows"]}, status=422)
    schema, planned, problems = ReportSchema(), [], []
    for number, raw in rows:
        if not isinstance(raw, dict):
            problems.append(Problem(number, "record", "Each record must be a JSON object."))
            continue
        if not tabular and "attachments" in raw:
            problems.append(Problem(number, "attachments", "Send attachments with POST /reports, not in an import."))
            continue
        try:
            record = schema.load(record_of(raw) if tabular else raw)
            intake.agency_of(session, record["agency"])
        except ValidationError as err:
            problems += [Problem(number, BY_PATH.get(path, path) if tabular else path, message)
                         for path, messages in flatten(err.messages).items() for message in messages]
            continue
        except AppError as err:   # an entity id that names nothing
            problems += [Problem(number, BY_PATH.get(path, path) if tabular else path, message)
                         for path, messages in err.errors.items() for message in messages]
            continue
        planned.append((number, record))
    if problems:
        raise ImportRejected(problems)
    filed = []
    for number, record in planned:
        report, receipt = intake.submit(session, keyring, record, receiver_id=actor.organisation_id,
                                        channel="import", limits=limits, actor=actor)
        filed.append({"row": number, "id": report.id, "receipt": receipt})
    return {"rows": len(rows), "imported": len(filed), "reports": filed}
